"""The fast backfill over the wire (issue 30): a real pymongo client reads raw BSON batches
(`find_raw_batches`: find, then getMore) from a MockupDB server, the worker processes decode and transform
them, each batch commits with its checkpoint. A network error in the middle of a batch or a cursor the server
forgot stops the run; the next run resumes at its checkpoint: every document loaded once, none skipped."""

from unittest import mock

import pytest
from bson import ObjectId
from pymongo.errors import AutoReconnect, CursorNotFound

from cutover.backfill import runner
from cutover.backfill.service import backfill_domain
from cutover.backfill.source import MongoDocumentSource, mongo_failure
from cutover.models import BackfillCheckpoint, BackfillRun
from payments.models import Payment
from tests.wire.wire_store import CURSOR_NOT_FOUND


def _parents():
    """Users and purchase requests load from the test store directly: only payments cross the wire."""
    backfill_domain("auth")
    backfill_domain("marketplace")


def _payments(legacy, count: int) -> list[ObjectId]:
    ids = sorted(legacy.payment()["_id"] for _ in range(count))
    _parents()
    return ids


def _over_the_wire(wire, **options):
    client = wire.client()
    try:
        return _backfill_payments(MongoDocumentSource(client[wire.backing.name]), **options)
    finally:
        client.close()


def _backfill_payments(source, batch_size=3):
    submitted = []
    original = runner.submit_copy_lines

    def counting(*args):
        submitted.append(args[-1])
        return original(*args)

    with mock.patch.object(runner, "submit_copy_lines", counting):
        run = backfill_domain("payment", source=source, batch_size=batch_size)
    return run, submitted


def _finds(wire) -> list[dict]:
    return [doc for doc in wire.commands if "find" in doc and doc["find"] == "payments" and "batchSize" in doc]


def _loaded_ids() -> list[str]:
    return list(Payment.objects.order_by("pk").values_list("pk", flat=True))


@pytest.fixture
def capped(wire):
    wire.reply_cap = 2  # a batch of 3 comes as a reply of 2 and a getMore of 1
    return wire


def test_raw_batches_from_a_server_load_through_the_workers_with_checkpoints(legacy, capped):
    ids = _payments(legacy, 7)
    run, submitted = _over_the_wire(capped)
    assert run.status == "finished" and run.summary["payments"]["written"] == 7
    assert [len(batch) for batch in submitted] == [3, 3, 1]  # raw BSON batches, handed to the workers
    assert all(isinstance(batch.raw, bytes) for batch in submitted)
    assert _loaded_ids() == [str(i) for i in ids]
    finds = _finds(capped)
    assert [(doc["limit"], doc["sort"]) for doc in finds[:3]] == [(3, {"_id": 1})] * 3  # by _id, a batch a find
    assert capped.names().count("getMore") >= 2  # each full batch took a getMore for its last document
    checkpoint = BackfillCheckpoint.objects.get(collection="payments")
    assert checkpoint.done and checkpoint.written == 7
    assert capped.unanswered == []  # every command of the run was one a server answers


def _is_getmore(doc) -> bool:
    return "getMore" in doc and doc.get("collection") == "payments"


@pytest.mark.parametrize(
    "fault, error",
    [("hangup", AutoReconnect), (CURSOR_NOT_FOUND, CursorNotFound)],
    ids=["network-error-mid-batch", "cursor-not-found-on-getmore"],
)
def test_a_batch_cut_short_stops_the_run_and_the_next_resumes_at_its_checkpoint(legacy, capped, fault, error):
    ids = _payments(legacy, 7)
    seen = []
    capped.fail(lambda doc: _is_getmore(doc) and len(seen.append(1) or seen) == 2, fault)  # the second batch's
    with pytest.raises(error) as raised:
        _over_the_wire(capped)
    # the store's state, not the data's (a cursor forgotten after a pause is no refused query): rerun
    assert mongo_failure(raised.value).startswith("the legacy Mongo store did not answer")
    failed = BackfillRun.objects.get(domain="payment")
    assert failed.status == "failed"
    assert _loaded_ids() == [str(i) for i in ids[:3]]  # the first batch committed with its checkpoint
    checkpoint = BackfillCheckpoint.objects.get(collection="payments")
    assert checkpoint.read == 3 and not checkpoint.done

    capped.commands.clear()
    run, submitted = _over_the_wire(capped)
    assert run.status == "finished"
    assert _finds(capped)[0]["filter"]["_id"]["$gt"] == ids[2]  # resumed after the last committed document
    assert [len(batch) for batch in submitted] == [3, 1]  # only what the failed run had not loaded
    assert _loaded_ids() == [str(i) for i in ids]  # each once: none skipped, none twice
    assert BackfillCheckpoint.objects.get(collection="payments").done


# A secondary's answer to a read while the primary steps down (NotPrimaryNoSecondaryOk).
STEPPED_DOWN = {"ok": 0, "code": 13435, "codeName": "NotPrimaryNoSecondaryOk", "errmsg": "not primary"}


def _is_batch_find(doc) -> bool:
    return doc.get("find") == "payments" and "limit" in doc and "$gt" in doc.get("filter", {}).get("_id", {})


def test_a_step_down_during_the_backfill_is_retried_once_then_stops_the_run_to_resume(legacy, capped):
    ids = _payments(legacy, 7)
    capped.fail(_is_batch_find, STEPPED_DOWN)  # once: pymongo's retryable read asks the new primary again
    run, _ = _over_the_wire(capped)
    assert run.status == "finished" and _loaded_ids() == [str(i) for i in ids]
    assert sum(_is_batch_find(doc) for doc in capped.commands) >= 3  # the refused read was read again

    Payment.objects.all().delete()
    BackfillCheckpoint.objects.all().delete()
    capped.fail(_is_batch_find, STEPPED_DOWN, times=1000)  # no primary for as long as the run reads
    with pytest.raises(AutoReconnect) as raised:
        _over_the_wire(capped)
    assert mongo_failure(raised.value).startswith("the legacy Mongo store did not answer")
    assert _loaded_ids() == [str(i) for i in ids[:3]]
    capped.heal()  # the new primary answers
    run, _ = _over_the_wire(capped)
    assert run.status == "finished" and _loaded_ids() == [str(i) for i in ids]


def test_the_thread_pipeline_too_loads_what_it_read_before_a_network_error(transactional_db, wire):
    """Chats (an embedded array: read whole in the loader) take the thread pipeline, not the workers."""
    from chat.models import Chat
    from escrow_project.mongo import mongo_database
    from tests.chat.legacy_chats import legacy_chat

    ids = sorted(legacy_chat(mongo_database(), messages=2)["_id"] for _ in range(3))
    client = wire.client()
    source = MongoDocumentSource(client[wire.backing.name])
    try:

        def later_batch(doc: dict) -> bool:  # a keyset read after the first batch (not an array's slice)
            condition = doc.get("filter", {}).get("_id")
            return doc.get("find") == "chats" and isinstance(condition, dict) and "$gt" in condition

        wire.fail(later_batch, "hangup", times=2)  # the read and pymongo's one retry of it
        with pytest.raises(AutoReconnect):
            backfill_domain("chat", source=source, batch_size=1)
        assert list(Chat.objects.values_list("pk", flat=True)) == [str(ids[0])]  # the batch read before it loaded
        run = backfill_domain("chat", source=source, batch_size=1)
    finally:
        client.close()
    assert run.status == "finished"
    assert sorted(Chat.objects.values_list("pk", flat=True)) == [str(i) for i in ids]
