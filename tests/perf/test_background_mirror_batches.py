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
    original = outbox.mirror_record
    with mock.patch.object(outbox, "mirror_record", lambda *key: (mirrored.append(key[2]), original(*key))):
        assert outbox_process_entries(entries) == 4
    assert mirrored == [records[0].id, records[1].id, records[2].id]
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
    original = outbox.mirror_record

    def failing_for_bad(*key):
        if key[2] == bad.id:
            raise RuntimeError("mongo said no")
        return original(*key)

    with mock.patch.object(outbox, "mirror_record", failing_for_bad):
        assert outbox_process_entries(entries) == 1
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
