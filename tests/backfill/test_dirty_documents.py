"""Every kind of dirty legacy document in docs/legacy-collections.md is either migrated correctly or rejected
with its reason."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from bson import Decimal128, ObjectId

from cutover.backfill.service import backfill_domain
from cutover.models import BackfillReject
from tests.backfill.conftest import MISSING, postgres_record


def _run(*domains):
    return {name: backfill_domain(name) for name in ("auth", "marketplace", *domains)}


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"amount": Decimal128("12.34")}, "amount", Decimal("12.34")),
        ({"amount": 12.5}, "amount", Decimal("12.5")),
        ({"amount": "7.25"}, "amount", Decimal("7.25")),
        ({"createdAt": "2023-05-06T07:08:09.123Z"}, "created_at", datetime(2023, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)),
        ({"createdAt": 1683356889123}, "created_at", datetime(2023, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)),
        ({"updatedAt": MISSING}, "updated_at", None),  # falls back to createdAt
        ({"status": "CONFIRMED"}, "status", "confirmed"),
        ({"currency": "usdt"}, "currency", "USDT"),
        ({"legacyFlag": True, "__v": 3}, "status", "confirmed"),  # unknown extra fields are ignored
        ({"confirmations": "4"}, "confirmations", 4),
    ],
)
def test_dirty_values_that_migrate(legacy, overrides, field, expected):
    payment = legacy.payment(**overrides)
    if "buyerId" in overrides:
        pass
    _run("payment")
    record = postgres_record("payment", "payments", payment["_id"])
    assert record is not None, BackfillReject.objects.values_list("reason", flat=True)
    assert getattr(record, field) == (expected if expected is not None else record.created_at)


def test_ids_stored_as_hex_strings_migrate(legacy):
    payment = legacy.payment()
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    as_strings = {key: str(value) if isinstance(value, ObjectId) else value for key, value in payment.items()}
    legacy.db.payments.insert_one(as_strings)
    _run("payment")
    assert postgres_record("payment", "payments", payment["_id"]).buyer_id == str(payment["buyerId"])


@pytest.mark.parametrize(
    ("overrides", "kind", "reason"),
    [
        ({"amount": Decimal128("-5")}, "bad_value", "amount: expected an amount between"),
        ({"amount": 1e15}, "bad_value", "amount: expected an amount between"),
        ({"amount": "ten"}, "bad_value", "amount: expected a number"),
        ({"amount": " 7.25 "}, "bad_value", "amount: expected a number written as"),  # spaces: no table form
        ({"createdAt": ["2024-01-01"]}, "bad_value", "createdAt: expected a date"),
        ({"createdAt": "last tuesday"}, "bad_value", "createdAt: expected an ISO 8601 date"),
        ({"status": "settled"}, "bad_value", "status: expected one of"),  # a retired value
        ({"buyerId": MISSING}, "bad_value", "buyerId: expected an ObjectId"),
        ({"buyerId": ObjectId()}, "orphan", "orphan: buyerId"),  # references a user that no longer exists
    ],
)
def test_dirty_values_that_are_rejected_with_the_reason(legacy, overrides, kind, reason):
    payment = legacy.payment(**overrides)
    runs = _run("payment")
    assert runs["payment"].summary["payments"]["rejected"] == 1
    reject = BackfillReject.objects.get(record_id=str(payment["_id"]))
    assert (reject.kind, reject.status, reject.collection, reject.domain) == (kind, "open", "payments", "payment")
    assert reason in reject.reason
    assert reject.document["_id"] == {"$oid": str(payment["_id"])}
    assert postgres_record("payment", "payments", payment["_id"]) is None


def test_an_id_of_another_type_is_reported_not_dropped(legacy):
    legacy.db.payments.insert_one({"_id": 12345.5, "amount": 1})
    legacy.db.payments.insert_one({"_id": "not-an-object-id", "amount": 1})
    _run("payment")
    kinds = dict(BackfillReject.objects.values_list("record_id", "kind"))
    assert kinds == {"12345.5": "bad_id", "not-an-object-id": "bad_id"}


def test_duplicates_of_unique_values_are_rejected_as_clashes(legacy):
    legacy.user(email="Dup@Example.com")
    clash = legacy.user(email="  dup@example.COM ")
    first = legacy.payment(txHash="0xfeed")
    second = legacy.payment(txHash="0xfeed")
    _run("payment")
    reasons = {r.record_id: (r.kind, r.reason) for r in BackfillReject.objects.all()}
    assert reasons[str(clash["_id"])][0] == "unique_clash" and "dup@example.com" in reasons[str(clash["_id"])][1]
    assert reasons[str(second["_id"])][0] == "unique_clash" and "0xfeed" in reasons[str(second["_id"])][1]
    assert postgres_record("payment", "payments", first["_id"]).tx_hash == "0xfeed"


def test_a_rerun_after_the_data_is_fixed_resolves_the_reject(legacy):
    payment = legacy.payment(amount="ten")
    _run("payment")
    assert BackfillReject.objects.get().status == "open"
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": {"amount": "10"}})
    runs = _run("payment")
    assert BackfillReject.objects.get().status == "resolved"
    assert postgres_record("payment", "payments", payment["_id"]).amount == Decimal("10")
    assert runs["payment"].summary["payments"]["rejected"] == 0


def test_large_embedded_arrays_and_non_ascii_text(legacy):
    payment = legacy.payment()
    at = legacy.at
    timeline = [
        {
            "at": at,
            "actorId": payment["buyerId"],
            "action": "status_changed",
            "fromStatus": "open",
            "toStatus": "under_review",
            "note": f"Примечание №{i} — ✓",
        }
        for i in range(3000)
    ]
    dispute = {
        "_id": ObjectId(),
        "purchaseRequestId": payment["purchaseRequestId"],
        "paymentId": payment["_id"],
        "openedById": payment["buyerId"],
        "againstUserId": payment["sellerId"],
        "reason": "Fraud",
        "description": "日本語の説明",
        "status": "Under_Review",
        "priority": "high",
        "evidence": [],
        "timeline": timeline,
        "createdAt": at,
        "updatedAt": at,
    }
    legacy.db.disputes.insert_one(dispute)
    _run("payment", "dispute")
    record = postgres_record("dispute", "disputes", dispute["_id"])
    assert (len(record.timeline), record.timeline[-1].note, record.description, record.reason, record.status) == (
        3000,
        "Примечание №2999 — ✓",
        "日本語の説明",
        "fraud",
        "under_review",
    )


def test_expired_short_lived_documents_are_skipped(legacy):
    legacy.db.tempverifications.insert_many(
        [
            {
                "_id": ObjectId(),
                "email": "a@example.com",
                "codeHash": "h",
                "purpose": "email_verify",
                "attempts": 0,
                "expiresAt": datetime(2020, 1, 1, tzinfo=UTC),
                "createdAt": datetime(2020, 1, 1, tzinfo=UTC),
            },
            {
                "_id": ObjectId(),
                "email": "b@example.com",
                "codeHash": "h",
                "purpose": "email_verify",
                "attempts": 0,
                "expiresAt": datetime(2999, 1, 1, tzinfo=UTC),
                "createdAt": datetime(2024, 1, 1, tzinfo=UTC),
            },
        ]
    )
    summary = backfill_domain("auth").summary["tempverifications"]
    assert (summary["read"], summary["written"], summary["skipped"], summary["rejected"]) == (2, 1, 1, 0)
