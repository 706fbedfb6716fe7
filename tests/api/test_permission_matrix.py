"""The permission matrix, generated from the URL configuration (api.urls via api.permissions.api_views).

For every endpoint and method: anonymous 401; a user who is not staff, even holding every API permission, 403; a
staff user holding every API permission except the ones this method declares, 403 (so an endpoint that
declares none fails, unless it is one of ANY_API_ACCOUNT); a view-only staff user, 403 for any method that
changes something; a staff user holding exactly the declared permissions, the method's
documented success (ApiView.success_codes, else 200). Public methods (PUBLIC) answer an anonymous caller.

A view or a method without a declaration fails test_every_endpoint_declares_its_permissions; one without an
example request below fails test_every_endpoint_has_an_example (so it is in the matrix too)."""

import json

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from api.permissions import PUBLIC, api_permissions, api_views, declared
from cutover.modes.registry import domain_names
from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from disputes.services import dispute_open
from notifications.services import notification_send
from tests.api.conftest import staff_user, token_client
from tests.disputes.factories import dispute_draft
from tests.factories import a_payment, a_user

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _handled(view) -> tuple[str, ...]:
    """The methods a view answers: its handlers (a class-based view), or what it declares (a function)."""
    if isinstance(view, type):
        return tuple(method for method in METHODS if hasattr(view, method.lower()))
    return tuple(getattr(view, "required_permissions", {}) or ("GET",))


ENDPOINTS = [(name, route, view, method) for view, route, name in api_views() for method in _handled(view)]


@pytest.fixture
def records():
    for domain in domain_names():
        set_store_mode(domain, StoreMode.POSTGRES)
    draft = dispute_draft()
    user = a_user()
    return {
        "draft": draft,
        "dispute": dispute_open(**vars(draft)),
        "payment": a_payment(),
        "user": user,
        "admin": a_user(role="admin"),
        "notification": notification_send(user_id=user.id, type="t", title="hello"),
    }


# URL name -> method -> (path, body or query) for a request that succeeds with the right permissions.
EXAMPLES = {
    "api-health": {"GET": lambda r: ("/api/health", None)},
    "api-token": {"POST": lambda r: ("/api/auth/token", {"username": "nobody", "password": "wrong"})},
    "api-logout": {"POST": lambda r: ("/api/auth/logout", None)},
    "api-logout-all": {"POST": lambda r: ("/api/auth/logout-all", None)},
    "api-schema": {"GET": lambda r: ("/api/schema/", None)},
    "api-docs": {"GET": lambda r: ("/api/docs/", None)},
    "api-disputes": {
        "GET": lambda r: ("/api/disputes", {"status": "open"}),
        "POST": lambda r: ("/api/disputes", {**vars(r["draft"]), "reason": "fraud"}),
    },
    "api-dispute": {"GET": lambda r: (f"/api/disputes/{r['dispute'].id}", None)},
    "api-dispute-status": {
        "POST": lambda r: (f"/api/disputes/{r['dispute'].id}/status", {"to_status": "under_review"})
    },
    "api-dispute-assign": {"POST": lambda r: (f"/api/disputes/{r['dispute'].id}/assign", {"admin_id": r["admin"].id})},
    "api-dispute-resolve": {
        "POST": lambda r: (f"/api/disputes/{r['dispute'].id}/resolve", {"outcome": "closed", "resolution": "done"})
    },
    "api-notifications": {
        "GET": lambda r: ("/api/notifications", {"user_id": r["user"].id}),
        "POST": lambda r: ("/api/notifications", {"user_id": r["user"].id, "type": "t", "title": "x"}),
    },
    "api-notification-read": {"POST": lambda r: (f"/api/notifications/{r['notification'].id}/read", None)},
    "api-payment": {
        "GET": lambda r: (f"/api/payments/{r['payment'].id}", None),
        "PATCH": lambda r: (f"/api/payments/{r['payment'].id}", {"confirmations": 9}),
    },
    "api-payment-ledger": {"GET": lambda r: (f"/api/payments/{r['payment'].id}/ledger-entries", None)},
    "api-ledger-balance": {"GET": lambda r: ("/api/ledger/balance", {"user_id": r["user"].id, "currency": "USDT"})},
    None: {method: lambda r: ("/api/no-such-thing", None) for method in METHODS},  # the API's own 404
}
PUBLIC_ANSWERS = {"api-health": (200, 503), "api-token": (400,), None: (404,)}
# Open to any account that may use the API, no model permission: its own tokens, the schema. Every other
# endpoint must declare at least one permission, and every method that writes one beyond viewing.
ANY_API_ACCOUNT = {"api-logout", "api-logout-all", "api-schema", "api-docs"}


def _call(client: APIClient, method: str, example) -> int:
    path, data = example
    if method == "GET":
        return client.get(path, data).status_code
    return client.generic(
        method, path, "" if data is None else json.dumps(data), content_type="application/json"
    ).status_code


def _success(view, method: str) -> int:
    return getattr(view, "success_codes", {}).get(method, 200)


VIEW_PERMISSIONS = tuple(sorted(p for p in api_permissions() if p.split(".")[1].startswith("view_")))


@pytest.mark.parametrize(("name", "route", "view", "method"), ENDPOINTS, ids=lambda v: str(v) if v else "-")
def test_every_endpoint_declares_its_permissions(name, route, view, method):
    needed = declared(view, method)  # ImproperlyConfigured when missing
    assert needed == PUBLIC or isinstance(needed, tuple), f"{route} {method}: {needed!r}"
    for permission in () if needed == PUBLIC else needed:
        app_label, codename = permission.split(".")
        assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), permission


@pytest.mark.parametrize(("name", "route", "view", "method"), ENDPOINTS, ids=lambda v: str(v) if v else "-")
def test_every_endpoint_has_an_example(name, route, view, method):
    assert method in EXAMPLES.get(name, {}), f"{route} {method}: add an example request to EXAMPLES"


@pytest.mark.parametrize(("name", "route", "view", "method"), ENDPOINTS, ids=lambda v: str(v) if v else "-")
def test_permission_matrix(records, name, route, view, method):
    needed = declared(view, method)
    example = EXAMPLES[name][method](records)
    if needed == PUBLIC:
        assert _call(APIClient(), method, example) in PUBLIC_ANSWERS[name]
        return
    everything = api_permissions()
    assert _call(APIClient(), method, example) == 401, "anonymous"
    not_staff = staff_user("customer", *everything, is_staff=False)
    assert _call(token_client(not_staff), method, example) == 403, "not staff, every permission"
    if name not in ANY_API_ACCOUNT:
        all_but = staff_user("all-but", *(everything - set(needed)))
        assert _call(token_client(all_but), method, example) == 403, f"staff without {needed}"
        if method != "GET":
            viewer = staff_user("viewer", *VIEW_PERMISSIONS)
            assert _call(token_client(viewer), method, example) == 403, "view-only staff"
    right = staff_user("right", *needed)
    assert _call(token_client(right), method, example) == _success(view, method), f"staff with {needed}"
