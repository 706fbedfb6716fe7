"""The JSON API's flows, through the services, in every store mode."""

from decimal import Decimal

import pytest

from disputes import services as dispute_services
from ledger.services import ledger_append
from tests.disputes.factories import dispute_draft
from tests.factories import a_payment, a_user

pytestmark = pytest.mark.django_db(transaction=True)  # dual writes mirror after commit


def _open(api, draft) -> dict:
    answer = api.post(
        "/api/disputes",
        {
            "purchase_request_id": draft.purchase_request_id,
            "opened_by_id": draft.opened_by_id,
            "against_user_id": draft.against_user_id.upper(),  # ids are taken in either case
            "reason": "fraud",
            "priority": "urgent",
            "payment_id": draft.payment_id,
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_a_dispute_opens_changes_status_is_assigned_and_resolves(api, every_mode):
    draft = dispute_draft()
    admin = a_user(role="admin")
    opened = _open(api, draft)
    assert opened["against_user_id"] == draft.against_user_id
    assert (opened["status"], opened["priority"], opened["reason"]) == ("open", "urgent", "fraud")
    assert "legacy_fields" not in opened

    dispute_id = opened["id"]
    changed = api.post(
        f"/api/disputes/{dispute_id}/status",
        {"to_status": "under_review", "note": "looking"},
        format="json",
    ).json()
    assert changed["status"] == "under_review"
    assert [entry["action"] for entry in changed["timeline"]] == ["created", "status_changed"]
    assert changed["timeline"][1]["note"] == "looking"

    assigned = api.post(f"/api/disputes/{dispute_id}/assign", {"admin_id": admin.id}, format="json").json()
    assert assigned["admin_id"] == admin.id

    listed = api.get("/api/disputes", {"status": "under_review", "priority": "urgent"}).json()["results"]
    assert [item["id"] for item in listed] == [dispute_id]
    assert api.get("/api/disputes", {"status": "under_review", "priority": "low"}).json()["results"] == []
    by_admin = api.get("/api/disputes", {"admin_id": admin.id}).json()["results"]
    assert [item["id"] for item in by_admin] == [dispute_id]

    resolved = api.post(
        f"/api/disputes/{dispute_id}/resolve",
        {"outcome": "resolved_buyer", "resolution": "refund"},
        format="json",
    ).json()
    assert (resolved["status"], resolved["resolution"]) == ("resolved_buyer", "refund")
    read_back = api.get(f"/api/disputes/{dispute_id}").json()
    assert read_back == resolved


def test_notifications_are_sent_listed_and_marked_read(api, every_mode):
    user = a_user()
    sent = api.post(
        "/api/notifications",
        {"user_id": user.id, "type": "dispute", "title": "Opened", "data": {"n": 2**62, "nested": {"a": [1]}}},
        format="json",
    )
    assert sent.status_code == 201, sent.content
    notification_id = sent.json()["id"]
    unread = api.get("/api/notifications", {"user_id": user.id, "unread_only": "true"}).json()["results"]
    assert [item["id"] for item in unread] == [notification_id]
    read = api.post(f"/api/notifications/{notification_id}/read").json()
    assert read["is_read"] is True and read["read_at"]
    assert api.get("/api/notifications", {"user_id": user.id, "unread_only": "true"}).json()["results"] == []
    listed = api.get("/api/notifications", {"user_id": user.id}).json()["results"]
    assert listed[0]["data"] == {"n": 2**62, "nested": {"a": [1]}}


def test_payments_read_and_update_and_the_ledger_answers_exactly(api, every_mode):
    payment = a_payment()
    assert Decimal(api.get(f"/api/payments/{payment.id}").json()["amount"]) == Decimal("10.50")
    updated = api.patch(
        f"/api/payments/{payment.id}", {"status": "released", "confirmations": 12}, format="json"
    ).json()
    assert (updated["status"], updated["confirmations"]) == ("released", 12)
    assert api.get(f"/api/payments/{payment.id}").json()["status"] == "released"

    for reference, direction, amount in (("a", "credit", "0.000000000000000001"), ("b", "debit", "1000000000000")):
        ledger_append(
            user_id=payment.buyer_id,
            entry_type="deposit",
            direction=direction,
            amount=Decimal(amount),
            currency="ETH",
            reference=reference,
            payment_id=payment.id,
        )
    balance = api.get("/api/ledger/balance", {"user_id": payment.buyer_id, "currency": "ETH"}).json()
    assert balance["user_id"] == payment.buyer_id and balance["currency"] == "ETH"
    assert Decimal(balance["balance"]) == Decimal("-999999999999.999999999999999999")
    entries = api.get(f"/api/payments/{payment.id}/ledger-entries").json()["results"]
    assert sorted(entry["reference"] for entry in entries) == ["a", "b"]
    assert {Decimal(entry["amount"]) for entry in entries} == {Decimal("0.000000000000000001"), Decimal("1e12")}
    assert api.get(f"/api/payments/{a_payment().id}/ledger-entries").json()["results"] == []
    nothing = api.get("/api/ledger/balance", {"user_id": a_user().id, "currency": "ETH"}).json()["balance"]
    assert nothing.strip("0") in (".", "")  # plain digits, never 0E-18


def test_a_change_through_a_service_is_what_the_api_reads(api, every_mode):
    dispute = dispute_services.dispute_open(**vars(dispute_draft()))
    dispute_services.dispute_change_status(dispute_id=dispute.id, to_status="closed", actor_id=dispute.opened_by_id)
    assert api.get(f"/api/disputes/{dispute.id}").json()["status"] == "closed"
