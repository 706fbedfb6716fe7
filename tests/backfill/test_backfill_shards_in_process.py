"""The sharded backfill's ranges and checkpoints, in this process (Celery tasks run eagerly): every document is
read by exactly one shard, each shard stops at its upper bound and resumes from its own checkpoint, and the odd
ids (hex strings) are left to the in-process pass. The real worker is tests/backfill/test_processes.py."""

from unittest import mock

import pytest
from bson import ObjectId

from cutover.backfill import runner
from cutover.backfill.service import backfill_domain
from cutover.backfill.shards import backfill_domain_via_celery, shard_bounds
from cutover.backfill.source import MongoDocumentSource, decode_key
from cutover.models import BackfillCheckpoint, BackfillReject
from escrow_project.celery import app
from payments.models import Payment


@pytest.fixture
def eager_celery():
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


class RecordingSource(MongoDocumentSource):
    def __init__(self, database):
        super().__init__(database)
        self.calls: list[dict] = []

    def batch(self, collection, **kwargs):
        docs = super().batch(collection, **kwargs)
        if collection == "payments":
            self.calls.append(kwargs | {"ids": [doc["_id"] for doc in docs]})
        return docs


def _payments(legacy, count: int) -> list:
    return sorted(legacy.payment()["_id"] for _ in range(count))


def test_shards_split_the_range_and_each_document_is_read_once(legacy, eager_celery):
    ids = _payments(legacy, 12)
    string_id = legacy.payment(_id=str(ObjectId()))["_id"]  # a legacy hex-string _id: the in-process pass
    legacy.db.payments.insert_one({"_id": {"legacy": 1}, "amount": 1})  # reported once, by the in-process pass
    backfill_domain("auth")
    backfill_domain("marketplace")
    source = RecordingSource(legacy.db)

    with (
        mock.patch("cutover.backfill.shards.migration_source", return_value=source),
        mock.patch("cutover.backfill.service.migration_source", return_value=source),
    ):
        run = backfill_domain_via_celery("payment", shards=3, batch_size=2)

    assert run.status == "finished"
    summary = run.summary["payments"]
    assert (summary["read"], summary["written"], summary["rejected"]) == (13, 13, 1)
    read = [i for call in source.calls for i in call["ids"]]
    assert sorted(read, key=str) == sorted([*ids, string_id], key=str) and len(read) == 13  # each exactly once
    shards = list(BackfillCheckpoint.objects.filter(collection="payments", shard__gt=0).order_by("shard"))
    bounds = shard_bounds(ids[0], ids[-1], 3)
    assert [(s.lower_id, s.upper_id) for s in shards] == bounds
    assert [s.done for s in shards] == [True, True, True] and sum(s.read for s in shards) == 12
    for shard, (lower, upper) in zip(shards, bounds, strict=True):
        inside = [i for i in ids if (not lower or str(i) > lower) and (not upper or str(i) <= upper)]
        assert shard.read == len(inside)
    main = BackfillCheckpoint.objects.get(collection="payments", shard=0)
    assert main.done and main.read == 1  # only the string id
    assert sorted(Payment.objects.values_list("id", flat=True)) == sorted(str(i) for i in [*ids, string_id])
    assert list(BackfillReject.objects.values_list("kind", flat=True)) == ["bad_id"]


def test_a_shard_reads_only_objectids_inside_its_range(legacy):
    ids = _payments(legacy, 9)
    legacy.payment(_id=str(ObjectId()))  # a string id: never a shard's business
    backfill_domain("auth")
    backfill_domain("marketplace")
    from cutover.models import BackfillRun
    from cutover.modes.registry import domain_spec

    spec = domain_spec("payment")
    lower, upper = str(ids[2]), str(ids[6])
    checkpoint = runner.checkpoint_for(spec, "payments", shard=2, lower=lower, upper=upper)
    source = RecordingSource(legacy.db)
    run = BackfillRun.objects.create(domain="payment")
    summary = runner.backfill_collection(
        spec, "payments", source, run, checkpoint, runner.PassOptions(batch_size=2, show_progress=False)
    )
    assert [i for call in source.calls for i in call["ids"]] == ids[3:7]  # lower exclusive, upper inclusive
    assert {call["phase"] for call in source.calls} == {"objectId"}
    assert (summary.read, summary.written, summary.rejected, summary.resolved) == (4, 4, 0, 0)
    checkpoint.refresh_from_db()
    assert checkpoint.done and checkpoint.phase == "done" and checkpoint.read == 4
    assert sorted(Payment.objects.values_list("id", flat=True)) == [str(i) for i in ids[3:7]]

    again = runner.checkpoint_for(spec, "payments", shard=2, lower=lower, upper=upper)
    assert (again.phase, again.last_key, again.done, again.read) == ("objectId", "", False, 0)  # a fresh pass
    moved = runner.checkpoint_for(spec, "payments", shard=2, lower=str(ids[0]), upper=upper)
    assert (moved.lower_id, moved.upper_id) == (str(ids[0]), upper)


def test_a_checkpoint_resumes_a_shard_mid_range(legacy):
    ids = _payments(legacy, 8)
    backfill_domain("auth")
    backfill_domain("marketplace")
    from cutover.models import BackfillRun
    from cutover.modes.registry import domain_spec

    spec = domain_spec("payment")
    checkpoint = runner.checkpoint_for(spec, "payments", shard=1, lower="", upper=str(ids[5]))
    checkpoint.last_key = runner.encode_key(ids[1])
    checkpoint.read = 2
    checkpoint.save()
    source = RecordingSource(legacy.db)
    summary = runner.backfill_collection(
        spec,
        "payments",
        source,
        BackfillRun.objects.create(domain="payment"),
        runner.checkpoint_for(spec, "payments", shard=1, lower="", upper=str(ids[5])),
        runner.PassOptions(batch_size=3, show_progress=False),
    )
    assert [i for call in source.calls for i in call["ids"]] == ids[2:6]
    assert summary.read == 4
    # The two documents before the (faked) checkpoint have no rows: being recent, the catch-up pass loads them.
    assert summary.caught_up == 2
    checkpoint.refresh_from_db()
    assert checkpoint.read == 8 and checkpoint.done and decode_key(checkpoint.last_key) is None
