"""Tokens (knox): only for accounts that may use the API, expiring, revocable. Logins: a lockout (axes) for the
API and the admin alike, and a per-address throttle on the token endpoint, both before any password is hashed."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.hashers import get_hasher
from django.core.management import call_command
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.api.conftest import staff_user

pytestmark = pytest.mark.django_db
PASSWORD = "not-a-real-password"


def _login(username: str, password: str = PASSWORD):
    return APIClient().post("/api/auth/token", {"username": username, "password": password}, format="json")


@pytest.fixture
def hashes(monkeypatch) -> list[int]:
    """Counts password hashes (each costs about 0.35 s of CPU with the default hasher)."""
    counted: list[int] = []
    hasher = type(get_hasher())
    encode = hasher.encode

    def counting(self, *args, **kwargs):
        counted.append(1)
        return encode(self, *args, **kwargs)

    monkeypatch.setattr(hasher, "encode", counting)
    return counted


def test_only_staff_with_an_api_permission_gets_a_token():
    staff_user("customer", "disputes.view_dispute", is_staff=False)
    staff_user("bare-staff")
    staff_user("viewer", "disputes.view_dispute")
    assert _login("customer").status_code == 400
    assert _login("bare-staff").status_code == 400
    answer = _login("viewer")
    assert answer.status_code == 200 and len(answer.json()["token"]) == 64
    assert AuthToken.objects.filter(user__username="viewer").count() == 1
    assert not AuthToken.objects.filter(user__username__in=["customer", "bare-staff"]).exists()


def test_a_token_expires_and_logout_revokes_it(settings):
    staff_user("viewer", "disputes.view_dispute")
    token = _login("viewer").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/disputes", {"status": "open"}).status_code == 200
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/disputes", {"status": "open"}).status_code == 401
    token = _login("viewer").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/auth/logout").status_code == 204
    assert client.get("/api/disputes", {"status": "open"}).status_code == 401
    tokens = [_login("viewer").json()["token"] for _ in range(2)]
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    assert client.post("/api/auth/logout-all").status_code == 204
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[1]}")
    assert client.get("/api/disputes", {"status": "open"}).status_code == 401


def test_a_token_lasts_the_configured_time():
    staff_user("viewer", "disputes.view_dispute")
    before = timezone.now()
    _login("viewer")
    (expiry,) = AuthToken.objects.values_list("expiry", flat=True)
    assert timedelta(hours=10) <= expiry - before < timedelta(hours=10, seconds=30)


def test_150_wrong_passwords_lock_the_api_login_before_any_more_hashing(settings, hashes):
    settings.API_LOGIN_RATE = ""  # the lockout alone
    staff_user("operator", "disputes.view_dispute")
    hashes.clear()
    answers = [_login("operator", "wrong").status_code for _ in range(150)]
    limit = settings.AXES_FAILURE_LIMIT
    assert answers[: limit - 1] == [400] * (limit - 1)  # the failure that reaches the limit locks at once
    assert set(answers[limit - 1 :]) == {429}
    right = _login("operator")
    assert right.status_code == 429 and "locked" in right.json()["detail"]
    assert "Retry-After" in right
    assert len(hashes) == limit  # the other 145 tries and the right password cost no hash


def test_a_successful_login_resets_the_failure_count(settings):
    settings.API_LOGIN_RATE = ""
    user = staff_user("operator", "disputes.view_dispute")
    for _ in range(2):
        assert [_login("operator", "wrong").status_code for _ in range(settings.AXES_FAILURE_LIMIT - 1)] == [400] * (
            settings.AXES_FAILURE_LIMIT - 1
        )
        assert _login("operator").status_code == 200
    user.refresh_from_db()
    assert user.last_login is not None


def test_the_login_throttle_answers_before_hashing(settings, hashes):
    settings.API_LOGIN_RATE = "3/min"
    staff_user("operator", "disputes.view_dispute")
    hashes.clear()
    answers = [_login(f"someone-{n}", "wrong").status_code for n in range(5)]
    assert answers == [400, 400, 400, 429, 429]
    assert _login("operator").status_code == 429
    assert len(hashes) == 3


def test_150_wrong_passwords_lock_the_admin_login(client, settings, hashes):
    staff_user("operator", "disputes.view_dispute")
    hashes.clear()
    for _ in range(150):
        client.post("/admin/login/", {"username": "operator", "password": "wrong", "next": "/admin/"})
    answer = client.post("/admin/login/", {"username": "operator", "password": PASSWORD, "next": "/admin/"})
    assert answer.status_code == 429
    assert "_auth_user_id" not in client.session
    assert len(hashes) == settings.AXES_FAILURE_LIMIT


def test_the_token_itself_is_not_stored():
    """Knox keeps a hash of the token and its first characters (to find the row), never the token."""
    staff_user("viewer", "disputes.view_dispute")
    token = _login("viewer").json()["token"]
    (row,) = AuthToken.objects.values()
    assert row["digest"] == hash_token(token)
    assert row["token_key"] == token[: len(row["token_key"])] and len(row["token_key"]) < len(token) // 2
    assert not [value for value in row.values() if isinstance(value, str) and token in value]


def test_a_deactivated_account_gets_no_token_and_its_token_stops_working():
    user = staff_user("viewer", "disputes.view_dispute")
    token = _login("viewer").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/disputes", {"status": "open"}).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/api/disputes", {"status": "open"}).status_code == 401
    assert _login("viewer").status_code == 400  # the same answer as a wrong password


def test_an_admin_session_works_too(client):
    client.force_login(staff_user("viewer", "disputes.view_dispute"))
    assert client.get("/api/disputes", {"status": "open"}).status_code == 200
    assert client.get("/api/notifications", {"user_id": "a" * 24}).status_code == 403  # only what it holds
    client.force_login(staff_user("customer", "disputes.view_dispute", is_staff=False))
    assert client.get("/api/disputes", {"status": "open"}).status_code == 403


def test_axes_reset_username_lifts_a_lockout_at_once(settings):
    settings.API_LOGIN_RATE = ""  # the lockout alone
    staff_user("operator", "disputes.view_dispute")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login("operator", "wrong")
    assert _login("operator").status_code == 429
    call_command("axes_reset_username", "operator", stdout=StringIO())
    assert _login("operator").status_code == 200
