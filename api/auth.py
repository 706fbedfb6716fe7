"""Tokens (django-rest-knox): POST /api/auth/token logs in, POST /api/auth/logout revokes the token it is called
with, POST /api/auth/logout-all every token of the caller. Knox keeps only a hash of each token and ends it at its
expiry (REST_KNOX's TOKEN_TTL).

A login is refused before the password is hashed (each hash costs about a third of a second of CPU) when the
caller's address is over its rate (LoginThrottle, API_LOGIN_RATE) or the account is locked by django-axes after
too many failures (AXES_FAILURE_LIMIT, the same lockout the admin login has): both answer 429 with Retry-After.
Only an account that may use the API (api.permissions.may_use_api) gets a token; any other gets the same 400 as a
wrong password, so the answer never confirms a password for an account the API does not serve.
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from knox.models import get_token_model
from knox.settings import knox_settings
from knox.views import LogoutAllView, LogoutView
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from . import serializers as s
from .base import ApiView
from .permissions import PUBLIC, DeclaredPermissions, may_use_api

REFUSED = "Unable to log in with these credentials (or this account may not use the API)."


class LoginThrottle(SimpleRateThrottle):
    """Login attempts per client address (API_LOGIN_RATE, e.g. "20/min"; empty: no limit), read at each request."""

    scope = "login"

    def get_rate(self) -> str | None:
        return settings.API_LOGIN_RATE or None

    def get_cache_key(self, request: Request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenLogin(ApiView):
    required_permissions = {"POST": PUBLIC}
    authentication_classes = ()
    throttle_classes = (LoginThrottle,)
    body_serializers = {"POST": s.Login}

    def post(self, request: Request) -> Response:
        credentials = self.body(request)
        if not AxesProxyHandler.is_allowed(request, {"username": credentials["username"]}):
            raise _locked(request)
        user = authenticate(request=request, **credentials)
        if getattr(request, "axes_locked_out", False):
            raise _locked(request)
        if user is None or not may_use_api(user):
            raise ValidationError({"non_field_errors": [REFUSED]})
        instance, token = get_token_model().objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
        user_logged_in.send(sender=type(user), request=request, user=user)  # last_login; axes resets the count
        return Response({"token": token, "expiry": instance.expiry.isoformat().replace("+00:00", "Z")})


class TokenLogout(LogoutView):
    """Revokes the token this request carries (204)."""

    required_permissions = {"POST": ()}
    success_codes = {"POST": 204}
    permission_classes = (DeclaredPermissions,)


class TokenLogoutAll(LogoutAllView):
    """Revokes every token of the caller (204)."""

    required_permissions = {"POST": ()}
    success_codes = {"POST": 204}
    permission_classes = (DeclaredPermissions,)


def _locked(request: Request) -> Throttled:
    cool_off = get_cool_off(request)
    return Throttled(
        wait=cool_off.total_seconds() if cool_off else None,
        detail="Too many failed logins for this account: it is locked for a while (try later, or ask an admin).",
    )
