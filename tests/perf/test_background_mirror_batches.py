"""The background mirror takes a burst of outbox entries at a time: each record mirrored once however
often it was written, every entry marked, a failure kept on its own entries (issue 15)."""

from unittest import mock

import pytest

from cutover.factory import repository_for
from cutover.mirror import outbox
from cutover.mirror.dispatch import dispatcher
from cutover.mirror.outbox import outbox_enqueue, outbox_process_entries
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from tests.disputes.factories import dispute_draft

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_burst_mirrors_each_record_once_and_marks_every_entry(settings):
    settings.CUTOVER_MIRROR = "inline"
    set_store_mode("dispute", "dual")
    repo = repository_for("dispute")
    records = [repo.create(dispute_draft()) for _ in range(3)]
    changed = repo.change_status(records[0].id, to_status="under_review", actor_id=records[0].opened_by_id)
    entries = [
        outbox_enqueue(domain="dispute", collection="disputes", record_id=record_id, target="mongo")
        for record_id in [records[0].id, records[1].id, records[0].id, records[2].id]
    ]
    mirrored = []
    original = outbox.mirror_records_to_mongo
    with mock.patch.object(
        outbox, "mirror_records_to_mongo", lambda d, c, ids: (mirrored.append(list(ids)), original(d, c, ids))
    ):
        assert outbox_process_entries(entries) == 4
    assert mirrored == [[records[0].id, records[1].id, records[2].id]]  # together, each once
    assert MirrorOutboxEntry.objects.filter(pk__in=[e.pk for e in entries], status="done").count() == 4
    assert domain_spec("dispute").backends()["mongo"].get(records[0].id) == changed


def test_a_failure_stays_on_its_own_entries(settings):
    settings.CUTOVER_MIRROR = "inline"
    set_store_mode("dispute", "dual")
    repo = repository_for("dispute")
    good, bad = repo.create(dispute_draft()), repo.create(dispute_draft())
    entries = [
        outbox_enqueue(domain="dispute", collection="disputes", record_id=record.id, target="mongo")
        for record in (good, bad, bad)
    ]
    original, original_burst = outbox.mirror_record, outbox.mirror_records_to_mongo

    def failing_for_bad(*key):
        if key[2] == bad.id:
            raise RuntimeError("mongo said no")
        return original(*key)

    def burst_failing_for_bad(domain, collection, record_ids):
        if bad.id in record_ids:
            raise RuntimeError("mongo said no")
        return original_burst(domain, collection, record_ids)

    with (
        mock.patch.object(outbox, "mirror_record", failing_for_bad),
        mock.patch.object(outbox, "mirror_records_to_mongo", burst_failing_for_bad),
    ):
        assert outbox_process_entries(entries) == 1  # the burst failed: one by one, the good one done
    statuses = {e.pk: (e.status, e.attempts) for e in MirrorOutboxEntry.objects.filter(pk__in=[e.pk for e in entries])}
    assert statuses == {entries[0].pk: ("done", 0), entries[1].pk: ("pending", 1), entries[2].pk: ("pending", 1)}


def test_the_background_thread_mirrors_bursts_and_stops(settings):
    settings.CUTOVER_MIRROR = "background"
    set_store_mode("dispute", "dual")
    repo = repository_for("dispute")
    records = [repo.create(dispute_draft()) for _ in range(30)]
    records = [repo.change_status(r.id, to_status="under_review", actor_id=r.opened_by_id) for r in records]
    assert dispatcher.drain(timeout=20)
    mongo = domain_spec("dispute").backends()["mongo"]
    assert [mongo.get(r.id) for r in records] == records
    assert MirrorOutboxEntry.objects.exclude(status="done").count() == 0
    assert dispatcher.stop()


def test_a_burst_deletes_the_documents_of_deleted_rows_and_honours_the_breaker(settings):
    from cutover.mirror.breaker import mongo_breaker
    from cutover.mirror.copy import MirrorSkipped, mirror_records_to_mongo

    settings.CUTOVER_MIRROR = "inline"
    set_store_mode("dispute", "dual")
    repo = repository_for("dispute")
    kept, gone = repo.create(dispute_draft()), repo.create(dispute_draft())
    stores = domain_spec("dispute").backends()
    stores["postgres"].delete_snapshot("disputes", gone.id)
    mirror_records_to_mongo("dispute", "disputes", [kept.id, gone.id])
    assert stores["mongo"].get_snapshot("disputes", gone.id) is None
    assert stores["mongo"].get_snapshot("disputes", kept.id) == kept
    with mock.patch.object(mongo_breaker, "allow", return_value=False), pytest.raises(MirrorSkipped):
        mirror_records_to_mongo("dispute", "disputes", [kept.id])
