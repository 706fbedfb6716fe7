"""Changes through the API follow the domain rules: each status along its state machine, the actor is the
authenticated user (never a field of the body), every change recorded with who made it, and nothing a caller
sends dropped silently. Unknown parents are 404; a body too large is a 413 in DRF's form."""

import json

import pytest

from api.models import ApiChange
from cutover.modes.registry import domain_names
from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from disputes.services import dispute_open
from payments.selectors import payment_get
from tests.disputes.factories import dispute_draft
from tests.factories import a_payment, a_user

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[StoreMode.MONGO, StoreMode.POSTGRES], ids=lambda mode: mode.value)
def mode(request):
    for name in domain_names():
        set_store_mode(name, request.param)
    return request.param


def test_a_released_payment_is_never_refunded_pending_or_failed(api, mode):
    payment = a_payment()  # confirmed
    first = api.patch(f"/api/payments/{payment.id}", {"status": "released", "tx_hash": "0xfeed"}, format="json")
    assert first.status_code == 200, first.content
    for status in ("refunded", "pending", "confirmed", "failed"):
        answer = api.patch(f"/api/payments/{payment.id}", {"status": status}, format="json")
        assert answer.status_code == 409, (status, answer.content)
        assert "released" in answer.json()["detail"] and "final" in answer.json()["detail"]
    rewrite = api.patch(f"/api/payments/{payment.id}", {"tx_hash": "0xbeef"}, format="json")
    assert rewrite.status_code == 409 and "never rewritten" in rewrite.json()["detail"]
    stored = payment_get(payment_id=payment.id)
    assert (stored.status, stored.tx_hash) == ("released", "0xfeed")
    same = api.patch(f"/api/payments/{payment.id}", {"status": "released", "tx_hash": "0xfeed"}, format="json")
    assert same.status_code == 200  # a retry of the same change is not a transition


def test_a_resolved_dispute_is_not_reopened(api, mode):
    dispute = dispute_open(**vars(dispute_draft()))
    resolved = api.post(
        f"/api/disputes/{dispute.id}/resolve", {"outcome": "resolved_buyer", "resolution": "refund"}, format="json"
    )
    assert resolved.status_code == 200, resolved.content
    reopened = api.post(f"/api/disputes/{dispute.id}/status", {"to_status": "open"}, format="json")
    assert reopened.status_code == 409 and "cannot become 'open'" in reopened.json()["detail"]
    again = api.post(
        f"/api/disputes/{dispute.id}/resolve", {"outcome": "resolved_buyer", "resolution": "other"}, format="json"
    )
    assert again.status_code == 409
    closed = api.post(f"/api/disputes/{dispute.id}/status", {"to_status": "closed"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_the_actor_is_the_authenticated_user_and_every_change_is_recorded(api, staff, mode):
    dispute = dispute_open(**vars(dispute_draft()))
    named = api.post(f"/api/disputes/{dispute.id}/status", {"to_status": "closed", "actor_id": "a" * 24}, format="json")
    assert named.status_code == 400 and "authenticated user" in named.json()["actor_id"][0]
    changed = api.post(f"/api/disputes/{dispute.id}/status", {"to_status": "under_review"}, format="json").json()
    assert changed["timeline"][-1]["actor_id"] is None  # no marketplace user acted: the operator is recorded
    payment = a_payment()
    api.patch(f"/api/payments/{payment.id}", {"confirmations": 21}, format="json")
    recorded = list(ApiChange.objects.order_by("id").values_list("user_id", "action", "record_id", "changes"))
    assert recorded == [
        (staff.pk, "dispute.change_status", dispute.id, {"to_status": "under_review", "note": ""}),
        (staff.pk, "payment.update", payment.id, {"confirmations": 21}),
    ]


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"confirmations": 4, "id": "a" * 24}, "id", "Read-only"),
        ({"confirmations": 4, "amount": "1.00"}, "amount", "Read-only"),
        ({"confirmations": 4, "created_at": "2020-01-01T00:00:00Z"}, "created_at", "Read-only"),
        ({"confirmations": 4, "confirmation": 5}, "confirmation", "Unknown field"),
        ({"confirmations": 4, "changed_by": "me"}, "changed_by", "authenticated user"),
    ],
)
def test_unknown_or_read_only_fields_are_a_400_naming_them(api, body, field, says):
    payment = a_payment()
    answer = api.patch(f"/api/payments/{payment.id}", body, format="json")
    assert answer.status_code == 400 and says in answer.json()[field][0], answer.content
    assert payment_get(payment_id=payment.id).confirmations == 3  # nothing applied


def test_an_unknown_query_parameter_is_a_400(api):
    answer = api.get("/api/disputes", {"status": "open", "stauts": "closed"})
    assert answer.status_code == 400 and "stauts" in answer.json()


def test_unknown_parents_are_404_everywhere(api, mode):
    nobody = "c" * 24
    for path, query, kind in [
        (f"/api/payments/{nobody}/ledger-entries", None, "payment"),
        ("/api/notifications", {"user_id": nobody}, "user"),
        ("/api/ledger/balance", {"user_id": nobody, "currency": "USDT"}, "user"),
        ("/api/disputes", {"admin_id": nobody}, "user"),
    ]:
        answer = api.get(path, query)
        assert answer.status_code == 404 and f"no {kind}" in answer.json()["detail"], (path, answer.content)
    user = a_user()
    assert api.get("/api/notifications", {"user_id": user.id}).json() == {"results": []}


def test_a_body_too_large_is_a_413_in_json(api, settings):
    big = json.dumps({"user_id": "a" * 24, "type": "t", "title": "x", "body": "y" * 5_000_000})
    answer = api.generic("POST", "/api/notifications", big, content_type="application/json")
    assert answer.status_code == 413 and answer["Content-Type"] == "application/json"
    assert "at most" in answer.json()["detail"]
    settings.API_MAX_BODY_BYTES = 100
    small_limit = api.post("/api/disputes", {"description": "z" * 200}, format="json")
    assert small_limit.status_code == 413


def test_options_gives_field_information_and_html_gets_the_browsable_api(api):
    options = api.options("/api/disputes").json()
    assert {"POST", "GET"} <= set(options["actions"])
    assert options["actions"]["POST"]["reason"]["type"] == "choice"
    assert options["actions"]["GET"]["status"]["required"] is False
    page = api.get("/api/disputes", {"status": "open"}, HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"Django REST framework" in page.content
