import time

import pytest
from django.db import connection

from cutover.factory import repository_for
from cutover.mirror.dispatch import dispatcher
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from tests.disputes.factories import dispute_draft

pytestmark = pytest.mark.django_db(transaction=True)


def test_background_mirror_reaches_mongo_after_commit(settings):
    settings.CUTOVER_MIRROR = "background"
    set_store_mode("dispute", "dual")
    repo = repository_for("dispute")
    records = [repo.create(dispute_draft()) for _ in range(20)]
    assert dispatcher.drain(timeout=10)
    mongo = domain_spec("dispute").backends()["mongo"]
    assert [mongo.get(r.id) for r in records] == records
    assert MirrorOutboxEntry.objects.filter(status="done").count() == 20
    assert dispatcher.stop()  # its connection closed, so the test database can be dropped


def test_a_late_mirror_copies_the_leaders_current_state_not_the_write_it_was_for():
    """Mirrors may arrive out of order; each copies the source as it is when the copy runs (under the
    record's copy lock), so the last copy leaves the current state, whatever the records' clocks say."""
    from cutover.mirror.copy import mirror_record

    set_store_mode("dispute", "mongo")
    stores = domain_spec("dispute").backends()
    old = stores["mongo"].create(dispute_draft())
    new = stores["mongo"].change_status(old.id, to_status="under_review", actor_id=old.opened_by_id)
    stores["postgres"].put_snapshot(old)  # the copy of the first write, arriving after the second
    mirror_record("dispute", "disputes", old.id, "postgres")  # the second write's copy, arriving late too
    assert stores["postgres"].get(old.id) == new


def test_relay_mirrors_on_commit_notification(settings):
    import threading

    from cutover.mirror.relay import run_mirror_relay

    settings.CUTOVER_MIRROR = "relay"
    set_store_mode("dispute", "dual")
    stop, ready = threading.Event(), threading.Event()
    relay = threading.Thread(target=run_mirror_relay, kwargs={"stop": stop, "idle_seconds": 30, "ready": ready})
    relay.start()
    try:
        assert ready.wait(10), "the relay never started listening"
        record = repository_for("dispute").create(dispute_draft())
        mongo = domain_spec("dispute").backends()["mongo"]
        started = time.monotonic()
        entry = MirrorOutboxEntry.objects.get(record_id=record.id)
        while entry.status == "pending" and time.monotonic() - started < 10:  # the relay's work, seen as it lands
            entry.refresh_from_db()
        assert entry.status == "done" and mongo.get(record.id) == record
        assert time.monotonic() - started < 9, "woken by NOTIFY, not by the 30 s idle timer"
    finally:
        stop.set()
        with connection.cursor() as cursor:
            cursor.execute("NOTIFY cutover_outbox")  # wake it to see the stop
        relay.join(timeout=40)


def test_an_idle_repair_pass_logs_nothing_at_info_and_a_busy_one_does(settings, caplog):
    """The relay and its children ask every second: an idle pass must not fill the logs (86,400 lines a day)."""
    import logging

    from cutover.mirror.outbox import outbox_repair_pending

    settings.CUTOVER_MIRROR = "relay"  # nothing mirrors the write but the passes below
    set_store_mode("dispute", "dual")
    caplog.set_level(logging.INFO, logger="cutover.mirror.outbox")
    outbox_repair_pending()
    assert "mirror repair" not in caplog.text
    repository_for("dispute").create(dispute_draft())
    outbox_repair_pending()
    assert "mirror repair: RepairReport(repaired=1" in caplog.text
