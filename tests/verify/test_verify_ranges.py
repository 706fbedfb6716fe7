"""Verify walks every document and every row, range by range (cutover/backfill/verify.py): what it counts, what it
samples, the rows past the last document, the legacy string and number ids, the expired short-lived records it skips."""

import dataclasses
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from django.utils import timezone

from cutover.backfill.parity import SAMPLE
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.modes.registry import domain_spec
from cutover.store.legacy import next_moment


def _parents():
    backfill_domain("auth")
    backfill_domain("marketplace")


def _between(low: ObjectId, high: ObjectId) -> str:
    """An ObjectId strictly between two others (they must be more than 1 apart)."""
    middle = (int(str(low), 16) + int(str(high), 16)) // 2
    assert int(str(low), 16) < middle < int(str(high), 16)
    return f"{middle:024x}"


def test_counts_and_samples_of_every_kind_of_difference(legacy):
    ids = sorted(legacy.payment()["_id"] for _ in range(12))
    _parents()
    backfill_domain("payment")
    postgres = domain_spec("payment").backends()["postgres"]
    altered = postgres.get_snapshot("payments", str(ids[3]))
    postgres.put_snapshot(dataclasses.replace(altered, confirmations=77))
    postgres.delete_snapshot("payments", str(ids[7]))
    inside = dataclasses.replace(altered, id=_between(ids[8], ids[9]))  # a row between two documents
    past_the_end = dataclasses.replace(altered, id=str(ObjectId()))  # a row after the last document
    postgres.put_snapshot(inside)
    postgres.put_snapshot(past_the_end)

    called_at = timezone.now()
    result = verify_domain("payment", range_size=5)

    assert not result.passed
    assert called_at <= result.started_at <= result.finished_at and result.domain == "payment"
    assert result.counts["payments"] == {
        "documents": 12,
        "acknowledged": 0,
        "id_clashes": 0,
        "render_differs": 0,
        "in_flight": 0,
        "implausible": 0,
        "compared": 12,
        "ranges": 4,  # 5 + 5 + 2 documents, then the rows past the last one
        "ranges_differing": 3,
        "missing_in_postgres": 1,
        "missing_in_mongo": 2,
        "differing": 1,
        "unreadable_in_mongo": 0,
    }
    assert result.samples["payments"] == {
        "missing_in_postgres": [str(ids[7])],
        "missing_in_mongo": [inside.id, past_the_end.id],
        "differing": {str(ids[3]): ["confirmations"]},
        "unreadable_in_mongo": {},
        "acknowledged": [],
        "id_clashes": {},
        "render_differs": {},
        "in_flight": [],
        "implausible": {},
    }


def test_samples_stop_at_the_sample_size_but_counts_do_not(legacy):
    ids = sorted(legacy.payment()["_id"] for _ in range(SAMPLE + 3))
    _parents()
    backfill_domain("payment")
    legacy.db.payments.update_many({}, {"$set": {"confirmations": 50}})
    result = verify_domain("payment", range_size=7)
    assert result.counts["payments"]["differing"] == SAMPLE + 3
    assert list(result.samples["payments"]["differing"]) == [str(i) for i in ids[:SAMPLE]]
    assert result.counts["payments"]["ranges"] == 4 and result.counts["payments"]["ranges_differing"] == 4


def test_many_rows_past_the_last_document_are_walked_range_by_range(legacy):
    first = legacy.payment()
    _parents()
    backfill_domain("payment")
    postgres = domain_spec("payment").backends()["postgres"]
    record = postgres.get_snapshot("payments", str(first["_id"]))
    extra = sorted(str(ObjectId()) for _ in range(7))
    for record_id in extra:
        postgres.put_snapshot(dataclasses.replace(record, id=record_id))
    result = verify_domain("payment", range_size=3)
    assert result.samples["payments"]["missing_in_mongo"] == extra
    assert result.counts["payments"]["ranges"] == 1 + 3  # one range of documents, then 3 + 3 + 1 rows


def test_legacy_string_and_number_ids_are_compared_too(legacy):
    ids = sorted(legacy.payment()["_id"] for _ in range(4))
    as_string = legacy.payment()
    legacy.db.payments.delete_one({"_id": as_string["_id"]})
    legacy.db.payments.insert_one(as_string | {"_id": str(as_string["_id"])})  # the same id, stored as a string
    _parents()
    backfill_domain("payment")
    result = verify_domain("payment", range_size=2)
    assert result.passed and result.counts["payments"]["compared"] == 5

    legacy.db.payments.update_one({"_id": str(as_string["_id"])}, {"$set": {"network": "ethereum"}})
    legacy.db.payments.insert_one({"_id": 12345, "amount": 1})
    result = verify_domain("payment", range_size=2)
    assert result.samples["payments"]["differing"] == {str(as_string["_id"]): ["network"]}
    assert list(result.samples["payments"]["unreadable_in_mongo"]) == ["12345"]
    assert result.counts["payments"]["compared"] == 5 and result.counts["payments"]["missing_in_postgres"] == 0
    assert ids  # the ObjectId documents around the string one still match
    assert result.counts["payments"]["differing"] == 1


def test_an_unreadable_document_is_not_also_reported_missing(legacy):
    payment = legacy.payment()
    _parents()
    backfill_domain("payment")
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": {"amount": "ten"}})
    result = verify_domain("payment")
    unreadable = result.samples["payments"]["unreadable_in_mongo"]
    assert list(unreadable) == [str(payment["_id"])] and unreadable[str(payment["_id"])].startswith("amount:")
    assert result.counts["payments"]["missing_in_mongo"] == 0 and result.counts["payments"]["missing_in_postgres"] == 0
    assert not result.passed


def test_expired_short_lived_records_are_not_differences(legacy):
    now = datetime.now(UTC).replace(microsecond=0)

    def verification(expires_at: datetime) -> dict:
        return {
            "_id": ObjectId(),
            "email": "a@example.com",
            "codeHash": "h",
            "purpose": "email_verify",
            "attempts": 0,
            "expiresAt": expires_at,
            "createdAt": now - timedelta(days=1),
        }

    live, gone = verification(now + timedelta(days=1)), verification(now - timedelta(minutes=1))
    legacy.db.tempverifications.insert_many([live, gone])
    backfill_domain("auth")  # skips the expired one
    postgres = domain_spec("auth").backends()["postgres"]
    assert postgres.get_snapshot("tempverifications", str(gone["_id"])) is None
    stale = postgres.get_snapshot("tempverifications", str(live["_id"]))
    expired_row = dataclasses.replace(stale, id=str(ObjectId()), expires_at=next_moment(now - timedelta(hours=1)))
    postgres.put_snapshot(expired_row)  # an expired row the purge has not reached yet
    assert verify_domain("auth").passed

    legacy.db.tempverifications.update_one({"_id": live["_id"]}, {"$set": {"attempts": 2}})
    result = verify_domain("auth")
    assert result.samples["tempverifications"]["differing"] == {str(live["_id"]): ["attempts"]}


def test_verify_compares_what_has_life_left_in_both_stores(legacy):
    """The backfill skips what has expired (before now); verify compares only records with more than
    EXPIRY_MARGIN of life left, since Mongo's TTL monitor and the purges remove expired records from each store
    at different moments: one ending within the margin is not compared, one beyond it is."""
    from unittest import mock

    from cutover.backfill.verify import EXPIRY_MARGIN
    from cutover.store.legacy import now_ms

    now = now_ms()
    base = {"email": "a@example.com", "codeHash": "h", "purpose": "email_verify", "attempts": 0, "createdAt": legacy.at}
    ending = base | {"_id": ObjectId(), "expiresAt": now + EXPIRY_MARGIN - timedelta(milliseconds=1)}
    live = base | {"_id": ObjectId(), "expiresAt": now + EXPIRY_MARGIN + timedelta(seconds=1)}
    just_gone = base | {"_id": ObjectId(), "expiresAt": now - timedelta(milliseconds=1)}
    legacy.db.tempverifications.insert_many([ending, live, just_gone])
    with mock.patch("cutover.backfill.runner.now_ms", return_value=now):
        summary = backfill_domain("auth").summary["tempverifications"]
    assert (summary["written"], summary["skipped"]) == (2, 1)
    for gone_from_postgres in (ending, live):
        domain_spec("auth").backends()["postgres"].delete_snapshot("tempverifications", str(gone_from_postgres["_id"]))
    with mock.patch("cutover.backfill.verify.now_ms", return_value=now):
        result = verify_domain("auth")
    assert result.samples["tempverifications"]["missing_in_postgres"] == [str(live["_id"])]
    assert result.counts["tempverifications"]["compared"] == 1


def test_string_ids_past_the_last_objectid_document_are_compared_range_by_range(legacy):
    legacy.payment()
    strays = []
    for _ in range(5):  # newer than the ObjectId document, stored with string ids: all past its range
        doc = legacy.payment()
        legacy.db.payments.delete_one({"_id": doc["_id"]})
        legacy.db.payments.insert_one(doc | {"_id": str(doc["_id"])})
        strays.append(str(doc["_id"]))
    _parents()
    backfill_domain("payment")
    result = verify_domain("payment", range_size=2)
    assert result.passed and result.counts["payments"]["compared"] == 6

    domain_spec("payment").backends()["postgres"].delete_snapshot("payments", strays[-1])  # past every row
    result = verify_domain("payment", range_size=2)
    assert result.samples["payments"]["missing_in_postgres"] == [strays[-1]]
    assert result.counts["payments"]["missing_in_mongo"] == 0 and result.counts["payments"]["differing"] == 0
