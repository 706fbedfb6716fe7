"""Who may call what. Every API view declares, per HTTP method, the Django permissions it needs
(`required_permissions`); one permission class checks them, and tests/api/test_permission_matrix.py walks the URL
configuration to prove each declaration holds and that no view goes without one.

- `{"GET": ("disputes.view_dispute",)}`: an active **staff** account holding every permission listed;
- `{"POST": ()}`: any active staff account that may use the API (logout);
- `{"GET": PUBLIC}`: anyone, no account (health, the token login, the API's own 404).

A view with no declaration, or a method it handles but does not declare, is refused to everyone (and fails the
matrix test). The API is an operator's tool, as the admin is: a user who is not staff gets 403 whatever
permissions they hold, and no token (`may_use_api`).
"""

import inspect
from collections.abc import Iterator
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import BasePermission

PUBLIC = "public"  # a declaration's value for a method anyone may call


def declared(view, method: str):
    """The declaration for `method` on `view` (a view instance, class or function); ImproperlyConfigured if none."""
    declarations = getattr(view, "required_permissions", None)
    if not isinstance(declarations, dict):
        raise ImproperlyConfigured(f"API view {_name(view)} declares no required_permissions")
    method = "GET" if method == "HEAD" else method
    if method not in declarations:
        raise ImproperlyConfigured(f"API view {_name(view)} declares no required_permissions for {method}")
    return declarations[method]


class DeclaredPermissions(BasePermission):
    """The view's `required_permissions` for the request's method; OPTIONS needs any one method's."""

    message = "You need staff status and the permission this endpoint declares."

    def has_permission(self, request, view) -> bool:
        if request.method == "OPTIONS":
            return any(self._allowed(request, view, method) for method in view.required_permissions)
        if request.method != "HEAD" and not hasattr(view, request.method.lower()):
            return True  # no handler: DRF answers 405, nothing runs
        return self._allowed(request, view, request.method)

    @staticmethod
    def _allowed(request, view, method: str) -> bool:
        needed = declared(view, method)
        if needed == PUBLIC:
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff and user.has_perms(needed))


def may_use_api(user) -> bool:
    """Whether `user` may hold an API token: active staff with at least one permission some endpoint needs."""
    if not (user.is_active and user.is_staff):
        return False
    return any(user.has_perm(permission) for permission in api_permissions())


@cache
def api_permissions() -> frozenset[str]:
    """Every permission some API endpoint declares."""
    return frozenset(
        permission
        for view, _, _ in api_views()
        for needed in getattr(view, "required_permissions", {}).values()
        if needed != PUBLIC
        for permission in needed
    )


def api_views() -> Iterator[tuple[object, str, str | None]]:
    """Each view under /api/ with its route and URL name, read from the site's URL configuration (ROOT_URLCONF,
    which includes api.urls; resolved at run time, so the views importing this module make no import circle)."""
    for view, route, name in _walk(get_resolver().url_patterns, "/"):
        if route.startswith("/api/"):
            yield view, route, name


def _walk(patterns, prefix: str) -> Iterator[tuple[object, str, str | None]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            view = getattr(callback, "cls", None) or getattr(callback, "view_class", None) or callback
            yield view, prefix + str(pattern.pattern), pattern.name


def _name(view) -> str:
    kind = view if isinstance(view, type) or inspect.isfunction(view) else type(view)
    return f"{kind.__module__}.{kind.__qualname__}"
