"""Whatever a caller sends, the API answers 4xx naming what is wrong: never a 500."""

import pytest

from cutover.modes.registry import domain_names
from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from tests.factories import a_payment, a_user

pytestmark = pytest.mark.django_db

HEX = "a" * 24
NOT_THERE = "b" * 24


@pytest.fixture(params=[StoreMode.MONGO, StoreMode.POSTGRES], ids=lambda mode: mode.value)
def mode(request):
    for name in domain_names():
        set_store_mode(name, request.param)
    return request.param


BAD_REQUESTS = [
    # (method, path, body or query, status, a field or text the answer must name)
    ("post", "/api/disputes", [1, 2], 400, "non_field_errors"),
    ("post", "/api/disputes", "not an object", 400, "non_field_errors"),
    ("post", "/api/disputes", {}, 400, "purchase_request_id"),
    ("post", "/api/disputes", {"purchase_request_id": "zz"}, 400, "Expected an id of 24 hex characters"),
    ("post", "/api/disputes", {"purchase_request_id": ["a"]}, 400, "purchase_request_id"),
    ("post", "/api/disputes", {"reason": "nope"}, 400, "reason"),
    ("post", "/api/disputes", {"description": "a\x00b"}, 400, "Null characters"),
    ("post", "/api/disputes", {"priority": None}, 400, "priority"),
    ("get", "/api/disputes", {}, 400, "status"),
    ("get", "/api/disputes", {"status": "open", "limit": "0"}, 400, "limit"),
    ("get", "/api/disputes", {"status": "open", "limit": "many"}, 400, "limit"),
    ("get", "/api/disputes", {"status": "open", "limit": "99999"}, 400, "limit"),
    ("get", "/api/disputes", {"status": "nope"}, 400, "status"),
    ("get", "/api/disputes", {"admin_id": HEX, "priority": "low"}, 400, "priority"),
    ("get", "/api/disputes/nothex", None, 404, "no dispute"),
    ("get", f"/api/disputes/{NOT_THERE}", None, 404, "no dispute"),
    ("post", f"/api/disputes/{NOT_THERE}/status", {"to_status": "closed"}, 404, "no dispute"),
    ("post", f"/api/disputes/{NOT_THERE}/status", {"to_status": "gone"}, 400, "to_status"),
    ("post", f"/api/disputes/{NOT_THERE}/assign", {"admin_id": 12}, 400, "admin_id"),
    ("post", f"/api/disputes/{NOT_THERE}/resolve", {"outcome": "open"}, 400, "outcome"),
    ("post", "/api/notifications", {"user_id": HEX, "type": " ", "title": "x"}, 400, "type"),
    ("post", "/api/notifications", {"user_id": HEX, "type": "t", "title": "x", "data": [1]}, 400, "data"),
    ("post", "/api/notifications", {"user_id": HEX, "type": "t", "title": "x", "data": {"n": 2**64}}, 400, "64 bits"),
    ("post", "/api/notifications", {"user_id": HEX, "type": "t", "title": "x", "data": {"s": "\x00"}}, 400, "data"),
    ("post", "/api/notifications", {"user_id": HEX, "type": "t", "title": "x" * 301}, 400, "title"),
    ("get", "/api/notifications", {"user_id": HEX, "unread_only": "perhaps"}, 400, "unread_only"),
    ("post", f"/api/notifications/{NOT_THERE}/read", None, 404, "no notification"),
    ("patch", f"/api/payments/{NOT_THERE}", {}, 400, "status"),
    ("patch", f"/api/payments/{NOT_THERE}", {"confirmations": -1}, 400, "confirmations"),
    ("patch", f"/api/payments/{NOT_THERE}", {"status": "confirmed"}, 404, "no payment"),
    ("get", f"/api/payments/{NOT_THERE}", None, 404, "no payment"),
    ("get", "/api/payments/x/ledger-entries", None, 404, "no payment"),
    ("get", "/api/ledger/balance", {"user_id": "x", "currency": "DOGE"}, 400, "currency"),
    ("delete", "/api/disputes", None, 405, "not allowed"),
    ("get", "/api/nothing-here", None, 404, "no API endpoint"),
]


@pytest.mark.parametrize(("method", "path", "data", "status", "named"), BAD_REQUESTS)
def test_bad_input_is_a_4xx_that_names_the_problem(api, mode, method, path, data, status, named):
    call = getattr(api, method)
    answer = call(path, data, format="json") if method != "get" else call(path, data)
    assert answer.status_code == status, answer.content
    assert named in answer.content.decode()


@pytest.mark.django_db(transaction=True)  # Postgres checks references at commit
def test_a_reference_to_a_missing_record_is_a_400_naming_the_field_in_postgres(api, mode):
    payment = a_payment()
    answer = api.post(
        "/api/disputes",
        {
            "purchase_request_id": NOT_THERE,
            "opened_by_id": payment.buyer_id,
            "against_user_id": payment.seller_id,
            "reason": "other",
        },
        format="json",
    )
    if mode is StoreMode.MONGO:  # the legacy store checks no reference, as before
        assert answer.status_code == 201
    else:
        assert answer.status_code == 400, answer.content
        assert "purchase_request_id" in answer.json()


def test_a_payment_tx_hash_taken_by_another_is_a_409(api, mode):
    first, second = a_payment(), a_payment()
    assert api.patch(f"/api/payments/{first.id}", {"tx_hash": "0xabc"}, format="json").status_code == 200
    answer = api.patch(f"/api/payments/{second.id}", {"tx_hash": "0xabc"}, format="json")
    assert answer.status_code == 409, answer.content


def test_a_malformed_json_body_is_a_400(api, mode):
    answer = api.generic("POST", "/api/disputes", "{bad", content_type="application/json")
    assert answer.status_code == 400
    assert "JSON parse error" in answer.json()["detail"]


def test_no_token_is_401_and_a_user_who_is_not_staff_is_403():
    from rest_framework.test import APIClient

    from api.permissions import api_permissions
    from tests.api.conftest import staff_user, token_client

    assert APIClient().get("/api/disputes", {"status": "open"}).status_code == 401
    customer = staff_user("customer", *api_permissions(), is_staff=False)
    assert token_client(customer).get("/api/disputes", {"status": "open"}).status_code == 403
    assert APIClient().get("/api/health").status_code in (200, 503)  # health needs no account


def test_a_token_is_issued_for_the_right_password_only(staff):
    from rest_framework.test import APIClient

    client = APIClient()
    wrong = client.post("/api/auth/token", {"username": "operator", "password": "nope"}, format="json")
    assert wrong.status_code == 400
    right = client.post("/api/auth/token", {"username": "operator", "password": "not-a-real-password"}, format="json")
    assert right.status_code == 200 and len(right.json()["token"]) == 64


def test_mongo_down_is_a_503_not_a_500(api, settings, mongo_outage):
    for name in domain_names():
        set_store_mode(name, StoreMode.MONGO)
    user = a_user()
    mongo_outage.start()
    answer = api.get("/api/notifications", {"user_id": user.id})
    assert answer.status_code == 503
    assert "127.0.0.1" not in answer.content.decode()


def test_a_body_nested_too_deep_for_the_decoder_is_a_400(api):
    answer = api.generic("POST", "/api/disputes", "[" * 100_000, content_type="application/json")
    assert answer.status_code == 400
    assert "nested too deeply" in answer.json()["detail"]
