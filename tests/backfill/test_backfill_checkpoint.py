"""Guarantee 3: each backfill batch commits with its checkpoint (cutover/backfill/runner.py).

A failure between the two steps (after the batch is loaded, or in the checkpoint write itself) must leave the
rows and the checkpoint agreeing, and a resumed run must read exactly the documents after the checkpoint.
"""

from contextlib import contextmanager
from unittest import mock

import pytest

from cutover.backfill import runner
from cutover.backfill.service import backfill_domain
from cutover.backfill.source import MongoDocumentSource, decode_key
from cutover.models import BackfillCheckpoint, BackfillRun
from payments.models import Payment

BATCH = 5
FAILING_BATCH = 3  # two batches commit, the third fails


class InjectedFailure(Exception):
    pass


@contextmanager
def failure_after_the_load():
    """The batch's rows are written (and their outcome saved); then, before the checkpoint: a failure."""
    original, calls = runner.save_batch_outcome, []

    def load_then_fail(*args, **kwargs):
        outcome = original(*args, **kwargs)
        calls.append(1)
        if len(calls) == FAILING_BATCH:
            raise InjectedFailure("failed after the load, before the checkpoint")
        return outcome

    with mock.patch.object(runner, "save_batch_outcome", load_then_fail):
        yield
    assert len(calls) == FAILING_BATCH


@contextmanager
def failure_in_the_checkpoint_write():
    """The checkpoint write of the third batch fails (a checkpoint saved after the batch's commit would
    leave that batch's rows behind without it)."""
    original, failed = BackfillCheckpoint.save, []

    def save_or_fail(self, *args, **kwargs):
        if self.collection == "payments" and self.read == FAILING_BATCH * BATCH and not failed:
            failed.append(self.last_key)
            raise InjectedFailure("the checkpoint write failed")
        return original(self, *args, **kwargs)

    with mock.patch.object(BackfillCheckpoint, "save", save_or_fail):
        yield
    assert failed, "the checkpoint of the third batch was never written"


INJECTIONS = {"after-load": failure_after_the_load, "checkpoint-write": failure_in_the_checkpoint_write}


class RecordingSource(MongoDocumentSource):
    def __init__(self, database):
        super().__init__(database)
        self.read_ids: list = []

    def batch(self, collection, **kwargs):
        docs = super().batch(collection, **kwargs)
        if collection == "payments":
            self.read_ids += [doc["_id"] for doc in docs]
        return docs


@pytest.mark.parametrize("injection", INJECTIONS, ids=str)
def test_a_failure_between_load_and_checkpoint_keeps_them_agreeing(legacy, injection):
    ids = sorted(legacy.payment()["_id"] for _ in range(4 * BATCH))
    backfill_domain("auth")
    backfill_domain("marketplace")

    with INJECTIONS[injection](), pytest.raises(InjectedFailure):
        backfill_domain("payment", batch_size=BATCH)

    committed = (FAILING_BATCH - 1) * BATCH
    checkpoint = BackfillCheckpoint.objects.get(collection="payments", direction="forward", shard=0)
    assert (checkpoint.read, checkpoint.written, checkpoint.done) == (committed, committed, False)
    assert decode_key(checkpoint.last_key) == ids[committed - 1]
    assert sorted(Payment.objects.values_list("id", flat=True)) == [str(i) for i in ids[:committed]]
    failed = BackfillRun.objects.get(domain="payment")
    assert failed.status == BackfillRun.Status.FAILED and "InjectedFailure" in failed.error

    source = RecordingSource(legacy.db)
    resumed = backfill_domain("payment", batch_size=BATCH, source=source)
    assert source.read_ids == ids[committed:]  # exactly the rest, in order: nothing re-read, nothing skipped
    assert (resumed.summary["payments"]["read"], resumed.summary["payments"]["written"]) == (len(ids) - committed,) * 2
    assert sorted(Payment.objects.values_list("id", flat=True)) == [str(i) for i in ids]
    checkpoint.refresh_from_db()
    assert checkpoint.done and checkpoint.read == len(ids)
