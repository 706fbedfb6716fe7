"""The ways a cutover silently lost or altered data (issue 8), each pinned as a regression test."""

from datetime import timedelta
from decimal import Decimal

import pytest
from bson import Decimal128, Int64, ObjectId
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.services import address_add
from cutover.backfill.service import backfill_domain
from cutover.factory import repository_for
from cutover.mirror.copy import mirror_record
from cutover.mirror.outbox import outbox_repair_pending
from cutover.models import BackfillReject, MirrorOutboxEntry
from cutover.modes.registry import domain_spec
from cutover.store.legacy import now_ms
from cutover.testing import set_store_mode
from notifications.services import notification_mark_read
from payments.services import payment_update
from tests.backfill.conftest import postgres_record

UNKNOWN = {
    "refundTxHash": "0xfeed",
    "adminNote": "keep me",
    "riskScore": Int64(7),
    "fee": Decimal128("0.000000000000000001"),
    "ratio": 1.0,
    "reviewedAt": now_ms() - timedelta(days=3),
    "flags": ["a", {"b": None}],
    "meta": {"z": 1, "a": [ObjectId("64b7f0c2a1b2c3d4e5f60718")]},
}


def _backfill(*domains):
    return {name: backfill_domain(name) for name in ("auth", "marketplace", *domains)}


def _repair_now():
    MirrorOutboxEntry.objects.update(next_attempt_at=now_ms() - timedelta(seconds=1))  # past the backoff
    return outbox_repair_pending()


def _rejects(kind: str | None = None):
    rejects = BackfillReject.objects.filter(status="open")
    return list(rejects.filter(kind=kind) if kind else rejects)


def test_a_dual_write_keeps_legacy_fields_it_does_not_own(legacy):
    """Item 1: `$set` unknown fields in Mongo, then update in dual: they survive, with their BSON types."""
    payment = legacy.payment()
    _backfill("payment")
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": UNKNOWN})
    _backfill("payment")  # Postgres learns them too: it is the store that stays
    set_store_mode("payment", "dual")
    payment_update(payment_id=str(payment["_id"]), confirmations=7)
    doc = legacy.db.payments.find_one({"_id": payment["_id"]})
    assert doc["confirmations"] == 7
    assert {key: doc[key] for key in UNKNOWN} == UNKNOWN
    assert type(doc["riskScore"]) is Int64 and type(doc["ratio"]) is float and type(doc["fee"]) is Decimal128
    assert postgres_record("payment", "payments", payment["_id"]).legacy_fields is not None


def test_a_mirror_never_touches_keys_whose_value_is_unchanged(legacy):
    """Money stored as a double stays a double when a mirror write changes another field."""
    payment = legacy.payment(amount=10.5)
    _backfill("payment")
    set_store_mode("payment", "dual")
    payment_update(payment_id=str(payment["_id"]), status="released")
    doc = legacy.db.payments.find_one({"_id": payment["_id"]})
    assert doc["status"] == "released" and type(doc["amount"]) is float and doc["amount"] == 10.5
    assert "txHash" in doc and doc["txHash"] is None  # an explicit legacy null is not ours to remove


def test_an_objectid_and_a_string_id_are_never_merged(legacy):
    """Item 2: ObjectId(X) and "X" are two documents: one row, and the other is an id clash reject."""
    first = legacy.payment(amount=Decimal128("100"), status="pending")
    twin = dict(first, _id=str(first["_id"]), amount=Decimal128("999"), status="confirmed")
    legacy.db.payments.insert_one(twin)
    _backfill("payment")
    row = postgres_record("payment", "payments", first["_id"])
    assert (row.amount, row.status, row.legacy_id) == (Decimal("100"), "pending", None)
    [clash] = _rejects("unique_clash")
    assert clash.record_id == str(first["_id"]) and "id clash" in clash.reason


def test_a_string_id_document_is_updated_in_place_not_duplicated(legacy):
    """Item 3: a backfilled string `_id` keeps its type on the first dual write: one document."""
    payment = legacy.payment()
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    legacy.db.payments.insert_one(dict(payment, _id=str(payment["_id"])))
    _backfill("payment")
    assert postgres_record("payment", "payments", payment["_id"]).legacy_id == str(payment["_id"])
    set_store_mode("payment", "dual")
    payment_update(payment_id=str(payment["_id"]), status="released")
    docs = list(legacy.db.payments.find({}))
    assert [(doc["_id"], doc["status"]) for doc in docs] == [(str(payment["_id"]), "released")]


def test_an_upper_case_string_id_keeps_its_exact_spelling(legacy):
    payment = legacy.payment()
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    legacy.db.payments.insert_one(dict(payment, _id=str(payment["_id"]).upper()))
    _backfill("payment")
    set_store_mode("payment", "dual_mongo_primary")
    payment_update(payment_id=str(payment["_id"]), confirmations=9)
    [doc] = legacy.db.payments.find({})
    assert doc["_id"] == str(payment["_id"]).upper() and doc["confirmations"] == 9
    assert postgres_record("payment", "payments", payment["_id"]).confirmations == 9


def test_a_forward_backfill_never_reverts_a_newer_postgres_write(legacy, mongo_outage):
    """Item 5: an unversioned notification marked read in dual while Mongo was down stays read."""
    user = legacy.user()
    note = legacy.notification(user)
    _backfill("notification")
    set_store_mode("notification", "dual")
    mongo_outage.start()
    notification_mark_read(notification_id=str(note["_id"]))  # Postgres commits; the mirror waits
    mongo_outage.end()
    backfill_domain("notification")
    assert _repair_now().repaired == 1
    assert postgres_record("notification", "notifications", note["_id"]).is_read is True
    assert legacy.db.notifications.find_one({"_id": note["_id"]})["isRead"] is True


def test_while_postgres_leads_a_backfill_does_not_resurrect_a_deleted_record(legacy, mongo_outage):
    user = legacy.user()
    _backfill()
    set_store_mode("address", "dual")
    address = address_add(user_id=str(user["_id"]), address_type="Home", line1="1 Road", city="X", country="DE")
    mongo_outage.start()
    repository_for("address").delete_address(address.id)
    mongo_outage.end()
    backfill_domain("address")
    assert postgres_record("address", "addresses", address.id) is None
    assert _repair_now().repaired == 1
    assert legacy.db.addresses.count_documents({}) == 0


@pytest.mark.parametrize("amount", ["0.123456789", "1234.000000000000000001", "999999999999.999999999999999999"])
def test_money_is_stored_exactly(legacy, amount):
    """Item 6: 9 and 18 decimals, and the largest amount, are stored exactly."""
    payment = legacy.payment(amount=Decimal128(amount), currency="ETH", network="ethereum")
    _backfill("payment")
    assert postgres_record("payment", "payments", payment["_id"]).amount == Decimal(amount)


def test_money_finer_than_the_columns_is_rejected_never_rounded(legacy):
    payment = legacy.payment(amount=Decimal128("0.1234567890123456789"))
    _backfill("payment")
    assert postgres_record("payment", "payments", payment["_id"]) is None
    [reject] = _rejects("bad_value")
    assert "at most 18 decimal places" in reject.reason


def test_money_written_back_to_mongo_is_not_padded(legacy):
    payment = legacy.payment(amount=Decimal128("0.123456789"))
    _backfill("payment")
    set_store_mode("payment", "dual")
    payment_update(payment_id=str(payment["_id"]), status="released")
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$unset": {"amount": ""}})
    mirror_record("payment", "payments", str(payment["_id"]), "mongo")
    assert str(legacy.db.payments.find_one({"_id": payment["_id"]})["amount"]) == "0.123456789"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"createdAt": 10**17}, "createdAt: expected a date between the years 1 and 9999"),
        ({"createdAt": "9999-12-31T23:00:00-05:00"}, "createdAt: expected a date between the years 1 and 9999"),
        ({"createdAt": float("nan")}, "createdAt: expected a finite epoch number"),
        ({"amount": float("nan")}, "amount: expected a finite amount"),
        ({"status": ["confirmed"]}, "status: expected one of"),
        ({"status": {"x": 1}}, "status: expected one of"),
        ({"txHash": "0x\x00ff"}, "txHash: expected text without NUL characters"),
        ({"confirmations": float("inf")}, "confirmations: expected an integer"),
    ],
)
def test_malformed_values_become_rejects_and_the_run_goes_on(legacy, overrides, reason):
    """Item 8: a value no parser expects is a reject with its reason; later collections still migrate."""
    bad = legacy.payment(**overrides)
    good = legacy.payment()
    note = legacy._insert(
        "notifications",
        {"_id": ObjectId(), "userId": good["buyerId"], "type": "t", "title": "\x00", "body": "", "createdAt": now_ms()},
    )
    with pytest.raises(CommandError, match="rejected"):
        call_command("backfill", "--all", "--json")
    [payment_reject] = [r for r in _rejects() if r.collection == "payments"]
    assert payment_reject.record_id == str(bad["_id"]) and reason in payment_reject.reason
    assert postgres_record("payment", "payments", good["_id"]) is not None
    [note_reject] = [r for r in _rejects() if r.collection == "notifications"]
    assert note_reject.record_id == str(note["_id"]) and "NUL" in note_reject.reason
    assert note_reject.document["title"] == "\\u0000"  # the stored copy escapes what jsonb cannot hold


@pytest.mark.parametrize("mode", ["mongo", "dual_mongo_primary", "dual", "postgres"])
def test_writes_that_change_nothing_are_legal_in_every_mode(transactional_db, mode):
    """Item 9: deleting what is already gone returns "nothing changed", never a TypeError."""
    set_store_mode("auth", mode)
    set_store_mode("address", mode)
    missing = str(ObjectId())
    assert repository_for("auth").delete_verification(missing) is None
    assert repository_for("address").delete_address(missing) == []


def test_a_missing_created_at_is_derived_from_the_object_id(legacy):
    """Item 10: a Mongoose-era user without createdAt migrates, and so does everything under it."""
    payment = legacy.payment()
    legacy.db.users.update_one({"_id": payment["buyerId"]}, {"$unset": {"createdAt": "", "updatedAt": ""}})
    _backfill("payment")
    user = postgres_record("auth", "users", payment["buyerId"])
    assert user.created_at == payment["buyerId"].generation_time == user.updated_at
    assert postgres_record("payment", "payments", payment["_id"]) is not None
    assert not _rejects()
    assert "createdAt" not in legacy.db.users.find_one({"_id": payment["buyerId"]})


def test_a_missing_updated_at_is_taken_from_created_at(legacy):
    """Not from the ObjectId: a document whose createdAt is not its id's moment (imported, re-created) keeps it."""
    payment = legacy.payment()
    created = payment["buyerId"].generation_time - timedelta(days=3)
    legacy.db.users.update_one(
        {"_id": payment["buyerId"]}, {"$set": {"createdAt": created}, "$unset": {"updatedAt": ""}}
    )
    _backfill("payment")
    user = postgres_record("auth", "users", payment["buyerId"])
    assert user.created_at == created == user.updated_at
    assert not _rejects()


def test_a_backfill_batch_read_before_a_mongo_primary_write_does_not_revert_it(legacy, monkeypatch):
    """Item 5, the other side: in dual_mongo_primary an app write lands (Mongo, then its mirror) between the
    backfill reading a batch and loading it; the stale batch must not revert the unversioned row."""
    from cutover.backfill.source import MongoDocumentSource

    user = legacy.user()
    older_than_the_catch_up_window = ObjectId.from_datetime(now_ms() - timedelta(days=1))
    note = legacy.notification(user, _id=older_than_the_catch_up_window, title="A")
    _backfill("notification")
    legacy.db.notifications.update_one({"_id": note["_id"]}, {"$set": {"title": "B"}})  # the row must follow this
    set_store_mode("notification", "dual_mongo_primary")
    read_batch = MongoDocumentSource.batch

    def batch_then_a_concurrent_write(self, collection, **kwargs):
        docs = read_batch(self, collection, **kwargs)
        if collection == "notifications" and docs:
            notification_mark_read(notification_id=str(note["_id"]))  # Mongo write + mirror to Postgres
        return docs

    monkeypatch.setattr(MongoDocumentSource, "batch", batch_then_a_concurrent_write)
    backfill_domain("notification")
    row = postgres_record("notification", "notifications", note["_id"])
    assert (row.title, row.is_read) == ("B", True)


def test_a_document_inserted_behind_the_cursor_while_the_pass_runs_is_caught_up(legacy, monkeypatch):
    """Issue 9, item 9: another process's ObjectId can sort before ids already read; the pass catches up."""
    from cutover.backfill.source import MongoDocumentSource

    users = [legacy.user() for _ in range(3)]
    read_batch = MongoDocumentSource.batch
    late: dict = {}

    def batch_then_an_insert_behind_the_cursor(self, collection, **kwargs):
        docs = read_batch(self, collection, **kwargs)
        if collection == "users" and docs and not late:
            behind = ObjectId.from_datetime(now_ms() - timedelta(seconds=30))  # a slower clock, same moment
            late.update(users[0] | {"_id": ObjectId(str(behind)[:8] + "0" * 16), "email": "late@example.com"})
            legacy.db.users.insert_one(late)
        return docs

    monkeypatch.setattr(MongoDocumentSource, "batch", batch_then_an_insert_behind_the_cursor)
    run = backfill_domain("auth", batch_size=2)
    assert postgres_record("auth", "users", late["_id"]) is not None
    assert run.summary["users"]["caught_up"] == 1


def test_a_rollback_removes_what_postgres_deleted_and_keeps_what_it_never_had(legacy):
    """The reverse run deletes documents whose record Postgres deleted, but never a document Postgres
    never had (a reject: the only copy of that data is in Mongo)."""
    from cutover.backfill.reverse import reverse_backfill_domain

    kept, gone = legacy.payment(), legacy.payment()
    unmigrated = legacy.payment(amount="ten")
    _backfill("payment")
    set_store_mode("payment", "postgres")
    domain_spec("payment").backends()["postgres"].delete_snapshot("payments", str(gone["_id"]))
    set_store_mode("payment", "dual")
    run = reverse_backfill_domain("payment")
    left = {doc["_id"] for doc in legacy.db.payments.find({}, {"_id": 1})}
    assert left == {kept["_id"], unmigrated["_id"]}
    assert run.summary["payments"]["deleted"] == 1
