"""A rerun skips the ranges that loaded cleanly and did not change since, on either side; anything else
loads as before (issue 15: "a rerun that skips unchanged ranges by checksum")."""

from decimal import Decimal
from unittest import mock

from bson import Decimal128

from cutover.backfill import digest, runner
from cutover.backfill.service import backfill_domain
from cutover.models import BackfillRangeDigest, BackfillReject
from cutover.testing import set_store_mode
from payments.models import Payment
from tests.backfill.conftest import postgres_record


def _parents():
    backfill_domain("auth")
    backfill_domain("marketplace")


def _payments(legacy, count):
    docs = [legacy.payment() for _ in range(count)]
    _parents()
    return sorted(docs, key=lambda doc: doc["_id"])


def _transformed_batches(action):
    """How many batches went through the transform during `action`."""
    calls = []
    original = runner._BatchReader.transform

    def counting(self, docs):
        calls.append(len(docs))
        return original(self, docs)

    with mock.patch.object(runner._BatchReader, "transform", counting):
        result = action()
    return result, calls


def test_an_unchanged_rerun_transforms_nothing_and_counts_every_document_unchanged(legacy):
    _payments(legacy, 5)
    first = backfill_domain("payment", batch_size=2).summary["payments"]
    assert first["written"] == 5
    assert BackfillRangeDigest.objects.filter(collection="payments").count() == 3
    rerun, transformed = _transformed_batches(lambda: backfill_domain("payment", batch_size=2))
    summary = rerun.summary["payments"]
    assert transformed == [] and summary["unchanged"] == 5 and summary["written"] == 0 and summary["read"] == 5


def test_a_changed_document_reloads_its_range_only(legacy):
    docs = _payments(legacy, 5)
    backfill_domain("payment", batch_size=2)
    legacy.db.payments.update_one({"_id": docs[2]["_id"]}, {"$set": {"amount": Decimal128("99.5")}})
    rerun, transformed = _transformed_batches(lambda: backfill_domain("payment", batch_size=2))
    assert transformed == [2]  # docs 2 and 3: the range that changed
    assert rerun.summary["payments"]["written"] == 1
    assert postgres_record("payment", "payments", docs[2]["_id"]).amount == Decimal("99.5")
    # and the range is noted again: the next rerun skips it
    _, transformed = _transformed_batches(lambda: backfill_domain("payment", batch_size=2))
    assert transformed == []


def test_a_changed_or_deleted_row_reloads_its_range(legacy):
    docs = _payments(legacy, 4)
    backfill_domain("payment", batch_size=2)
    Payment.objects.filter(pk=str(docs[0]["_id"])).update(confirmations=77)
    Payment.objects.filter(pk=str(docs[3]["_id"])).delete()
    rerun, transformed = _transformed_batches(lambda: backfill_domain("payment", batch_size=2))
    assert transformed == [2, 2] and rerun.summary["payments"]["written"] == 2
    assert postgres_record("payment", "payments", docs[0]["_id"]).confirmations == 3
    assert postgres_record("payment", "payments", docs[3]["_id"]) is not None


def test_other_bounds_a_restart_or_open_rejects_load_every_range(legacy):
    _payments(legacy, 4)
    backfill_domain("payment", batch_size=2)
    _, transformed = _transformed_batches(lambda: backfill_domain("payment", batch_size=3))
    assert transformed == [3, 1]  # ranges cut elsewhere are not the ranges noted
    _, transformed = _transformed_batches(lambda: backfill_domain("payment", batch_size=3, restart=True))
    assert transformed == [3, 1]
    legacy.payment(amount="ten")  # a reject: while one is open, nothing is skipped
    backfill_domain("payment", batch_size=3)
    assert BackfillReject.objects.filter(collection="payments", status="open").count() == 1
    _, transformed = _transformed_batches(lambda: backfill_domain("payment", batch_size=3))
    assert sum(transformed) == 5


def test_a_range_with_a_reject_is_not_noted_and_forgets_what_was(legacy):
    docs = _payments(legacy, 2)
    backfill_domain("payment", batch_size=2)
    assert BackfillRangeDigest.objects.filter(collection="payments").count() == 1
    legacy.db.payments.update_one({"_id": docs[1]["_id"]}, {"$set": {"amount": "ten"}})
    backfill_domain("payment", batch_size=2)
    assert BackfillRangeDigest.objects.filter(collection="payments").count() == 0


def test_nothing_is_skipped_while_postgres_leads(legacy):
    _payments(legacy, 2)
    backfill_domain("payment", batch_size=2)
    set_store_mode("payment", "dual")
    _, transformed = _transformed_batches(lambda: backfill_domain("payment", batch_size=2))
    assert transformed == [2]


def test_a_new_version_of_the_code_loads_every_range(legacy):
    _payments(legacy, 2)
    backfill_domain("payment", batch_size=2)
    with mock.patch.object(digest.escrow_project, "__version__", "99.0"):
        _, transformed = _transformed_batches(lambda: backfill_domain("payment", batch_size=2))
    assert transformed == [2]
