"""Batches handed over as raw BSON are decoded and transformed in worker processes (issue 15: "overlap
decode/transform with load ... a process pipeline with a bounded queue"). What loads, what is rejected,
what a rerun skips and what verify finds must be exactly what the in-process path gives."""

import os
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from decimal import Decimal
from unittest import mock

import bson
import pytest
from bson import Decimal128, ObjectId

from cutover.backfill import runner, verify
from cutover.backfill.raw import RawBatch
from cutover.backfill.service import backfill_domain
from cutover.backfill.source import MongoDocumentSource
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillCheckpoint, BackfillRangeDigest, BackfillReject
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_database
from payments.models import Payment

_CODEC = bson.CodecOptions(tz_aware=True)


class RawSource(MongoDocumentSource):
    """The legacy test store, its batches handed over as BSON (as a server's are) when `raw_batches`; both
    ways the documents are the same decoded BSON, so the two paths read exactly the same values."""

    def __init__(self, database, *, raw: bool):
        super().__init__(database)
        self._raw = raw

    @property
    def raw_batches(self) -> bool:
        return self._raw

    def raw_batch(self, collection, *, phase, after, limit, lower="", upper="") -> RawBatch:
        docs = MongoDocumentSource.batch(
            self, collection, phase=phase, after=after, limit=limit, lower=lower, upper=upper
        )
        return RawBatch(b"".join(bson.encode(doc) for doc in docs), _CODEC)

    def batch(self, collection, **keyset) -> list[dict]:
        return list(self.raw_batch(collection, **keyset))

    def find(self, collection, ids) -> list[dict]:
        return [bson.decode(bson.encode(doc), _CODEC) for doc in super().find(collection, ids)]


def _source(raw: bool) -> RawSource:
    return RawSource(mongo_database(), raw=raw)


def _parents():
    backfill_domain("auth")
    backfill_domain("marketplace")


def _dirty_payments(legacy) -> list[dict]:
    docs = [
        legacy.payment(),
        legacy.payment(amount=Decimal128("10.123456789012345678"), txHash="ünïcode\t\\ | 3:x -\n"),
        legacy.payment(amount=Decimal128("-5")),  # a reject: negative money
        legacy.payment(amount=Decimal128("1.0000000000000000001")),  # a reject: 19 places would round
        legacy.payment(createdAt=datetime(1969, 7, 20, 20, 17, 40, 5000, UTC), legacyNote={"kept": [1, "x"]}),
        legacy.payment(status="CONFIRMED", confirmations=0, destinationId=None),
    ]
    _parents()
    docs.append(legacy.payment(buyerId=ObjectId()))  # an orphan: its buyer is in no table
    return docs


def _loaded() -> tuple[list[tuple], list[tuple]]:
    rows = list(Payment.objects.order_by("pk").values_list(*[f.attname for f in Payment._meta.concrete_fields]))
    fields = ("record_id", "kind", "reason", "document", "status")
    rejects = list(BackfillReject.objects.order_by("record_id").values_list(*fields))
    return rows, rejects


def _forget_the_run():
    Payment.objects.all().delete()
    BackfillReject.objects.all().delete()
    BackfillRangeDigest.objects.all().delete()
    BackfillCheckpoint.objects.filter(collection="payments").delete()


def _submitted(action):
    """What `action` returns, and how many batches it handed to the workers."""
    calls = []
    original = runner.submit_copy_lines

    def counting(*args):
        calls.append(args)
        return original(*args)

    with mock.patch.object(runner, "submit_copy_lines", counting):
        return action(), len(calls)


def test_rows_and_rejects_from_the_workers_are_those_of_the_in_process_path(legacy):
    _dirty_payments(legacy)
    run, submitted = _submitted(lambda: backfill_domain("payment", source=_source(True), batch_size=3))
    assert submitted == 3
    through_workers = _loaded()
    _forget_the_run()
    _, submitted = _submitted(lambda: backfill_domain("payment", source=_source(False), batch_size=3))
    assert submitted == 0
    assert _loaded() == through_workers
    rows, rejects = through_workers
    assert len(rows) == 4 and run.summary["payments"]["written"] == 4
    assert sorted(kind for _, kind, *_ in rejects) == ["bad_value", "bad_value", "orphan"]
    amount_at = [f.attname for f in Payment._meta.concrete_fields].index("amount")
    assert Decimal("10.123456789012345678") in {row[amount_at] for row in rows}  # nothing rounded


def test_an_orphan_found_by_the_loader_keeps_its_whole_document_in_the_reject(legacy):
    docs = _dirty_payments(legacy)
    backfill_domain("payment", source=_source(True), batch_size=100)
    orphan = BackfillReject.objects.get(kind="orphan")
    assert orphan.record_id == str(docs[-1]["_id"])
    assert orphan.document["buyerId"] == {"$oid": str(docs[-1]["buyerId"])}
    assert orphan.document["amount"] == {"$numberDecimal": "10.50"}


def test_a_rerun_through_the_workers_skips_unchanged_ranges_and_reloads_a_changed_one(legacy):
    docs = sorted((legacy.payment() for _ in range(5)), key=lambda doc: doc["_id"])
    _parents()
    backfill_domain("payment", source=_source(True), batch_size=2)
    rerun, submitted = _submitted(lambda: backfill_domain("payment", source=_source(True), batch_size=2))
    assert submitted == 0 and rerun.summary["payments"]["unchanged"] == 5
    legacy.db.payments.update_one({"_id": docs[2]["_id"]}, {"$set": {"amount": Decimal128("99.5")}})
    rerun, submitted = _submitted(lambda: backfill_domain("payment", source=_source(True), batch_size=2))
    assert submitted == 1 and rerun.summary["payments"]["written"] == 1
    assert Payment.objects.get(pk=str(docs[2]["_id"])).amount == Decimal("99.5")


def test_verify_through_the_workers_passes_on_equal_stores_and_names_what_differs(legacy):
    docs = sorted((legacy.payment() for _ in range(7)), key=lambda doc: doc["_id"])
    _parents()
    backfill_domain("payment", source=_source(True), batch_size=3)
    result = verify_domain("payment", source=_source(True), range_size=3)
    assert result.passed and result.counts["payments"]["compared"] == 7
    Payment.objects.filter(pk=str(docs[4]["_id"])).update(amount=Decimal("10.500000000000000001"))
    Payment.objects.filter(pk=str(docs[6]["_id"])).delete()
    with mock.patch.object(verify._RangeChecker, "same_fingerprint", side_effect=AssertionError("not here")):
        result = verify_domain("payment", source=_source(True), range_size=3)
    parity = result.counts["payments"]
    assert not result.passed and parity["ranges_differing"] == 2 and parity["documents"] == 7
    assert result.samples["payments"]["differing"] == {str(docs[4]["_id"]): ["amount"]}
    assert result.samples["payments"]["missing_in_postgres"] == [str(docs[6]["_id"])]


def test_verify_compares_here_a_range_a_document_of_which_is_unreadable(legacy):
    legacy.payment()
    bad = legacy.payment(amount="not money")
    _parents()
    backfill_domain("payment", source=_source(True))
    result = verify_domain("payment", source=_source(True))
    assert not result.passed and list(result.samples["payments"]["unreadable_in_mongo"]) == [str(bad["_id"])]


def test_a_mongodb_source_reads_a_batch_as_the_servers_raw_replies():
    """pymongo's find_raw_batches with the keyset of `batch`; the replies' bytes are the batch (no server
    here: the stand-ins decode in Python and never offer raw batches)."""
    docs = [{"_id": ObjectId(), "amount": Decimal128("1.5")} for _ in range(3)]
    collection = mock.Mock()
    collection.find_raw_batches.return_value = iter([bson.encode(docs[0]), bson.encode(docs[1]) + bson.encode(docs[2])])
    database = mock.MagicMock(codec_options=_CODEC)
    database.__getitem__.return_value = collection
    batch = MongoDocumentSource(database).raw_batch("payments", phase="objectId", after=docs[0]["_id"], limit=3)
    assert list(batch) == docs and batch[-1] == docs[2] and len(batch) == 3
    (keyset, projection), options = collection.find_raw_batches.call_args
    assert keyset == {"_id": {"$type": "objectId", "$gt": docs[0]["_id"]}}
    assert options == {"sort": [("_id", 1)], "limit": 3, "batch_size": 3}
    assert not MongoDocumentSource(mongo_database()).raw_batches  # the embedded stand-in decodes itself


def test_a_worker_that_dies_mid_run_loses_and_duplicates_nothing(legacy):
    payments = [legacy.payment() for _ in range(20)]
    _parents()
    original, calls = runner.submit_copy_lines, []

    def third_batch_kills_its_worker(pool, *args):
        calls.append(1)
        return pool.submit(os._exit, 1) if len(calls) == 3 else original(pool, *args)

    with mock.patch.object(runner, "submit_copy_lines", third_batch_kills_its_worker), pytest.raises(BrokenProcessPool):
        backfill_domain("payment", source=_source(True), batch_size=5)
    # The broken pool fails every batch still in flight: the batches before stay committed with their checkpoint.
    checkpoint = BackfillCheckpoint.objects.get(collection="payments", shard=0)
    assert Payment.objects.count() == checkpoint.read < 15 and checkpoint.read % 5 == 0 and not checkpoint.done
    resumed = backfill_domain("payment", source=_source(True), batch_size=5).summary["payments"]
    assert resumed["read"] == 20 - checkpoint.read  # it resumed at the checkpoint
    assert sorted(Payment.objects.values_list("id", flat=True)) == sorted(str(p["_id"]) for p in payments)


def test_a_worker_prepared_batch_loads_the_leaders_state_whatever_the_rows_clock(legacy):
    """Mongo leads: the document is the truth, even against a row whose updatedAt is far ahead (issue 22)."""
    payment = legacy.payment()
    _parents()
    set_store_mode("payment", "dual_mongo_primary")
    backfill_domain("payment", source=_source(True))
    Payment.objects.filter(pk=str(payment["_id"])).update(
        amount=Decimal("77"), updated_at=datetime(2099, 1, 1, tzinfo=UTC)
    )
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": {"amount": Decimal128("5")}})
    _, submitted = _submitted(lambda: backfill_domain("payment", source=_source(True), restart=True))
    assert submitted == 1
    row = Payment.objects.get(pk=str(payment["_id"]))
    assert (row.amount, row.updated_at) == (Decimal("5"), payment["updatedAt"].replace(tzinfo=UTC))
