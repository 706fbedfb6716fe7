"""A Mongo outage during dual writes: real pymongo against a closed local port."""

import pytest
from pymongo.errors import ConnectionFailure

from cutover.factory import repository_for
from cutover.mirror.breaker import mongo_breaker
from cutover.mirror.outbox import outbox_repair_pending
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_spec
from cutover.store.legacy import new_id
from cutover.testing import set_store_mode
from tests.disputes.factories import dispute_draft

PostgresDisputeRepository = domain_spec("dispute").postgres_repository_class()

pytestmark = pytest.mark.django_db(transaction=True)


def test_dual_writes_survive_a_mongo_outage_and_nothing_is_lost(mongo_outage, settings):
    set_store_mode("dispute", "dual")
    drafts = [dispute_draft() for _ in range(5)]
    mongo_outage.start()
    repo = repository_for("dispute")
    written = [repo.create(draft) for draft in drafts]
    written = [repo.change_status(r.id, to_status="under_review", actor_id=new_id()) for r in written]

    pending = MirrorOutboxEntry.objects.filter(status="pending")
    assert pending.count() == 10
    assert mongo_breaker.is_open  # after CUTOVER_BREAKER_FAILURES failures, no more waiting on Mongo
    assert MirrorOutboxEntry.objects.filter(attempts__gt=0).count() == settings.CUTOVER_BREAKER_FAILURES

    mongo_outage.end()  # Mongo is back
    MirrorOutboxEntry.objects.update(next_attempt_at=MirrorOutboxEntry.objects.first().created_at)
    report = outbox_repair_pending()
    assert (report.repaired, report.failed) == (10, 0)
    mongo = domain_spec("dispute").backends()["mongo"]
    assert [mongo.get(r.id) for r in written] == written
    assert not MirrorOutboxEntry.objects.exclude(status="done").exists()


def test_open_breaker_skips_mongo_without_waiting(mongo_outage):
    set_store_mode("dispute", "dual")
    drafts = [dispute_draft() for _ in range(4)]
    mongo_outage.start()
    repo = repository_for("dispute")
    for draft in drafts[:3]:
        repo.create(draft)
    assert mongo_breaker.is_open
    before = MirrorOutboxEntry.objects.filter(attempts__gt=0).count()
    repo.create(drafts[3])
    assert MirrorOutboxEntry.objects.filter(attempts__gt=0).count() == before  # skipped, not tried


def test_mongo_primary_failure_is_raised_and_postgres_untouched(mongo_outage):
    set_store_mode("dispute", "dual_mongo_primary")
    draft = dispute_draft()
    mongo_outage.start()
    with pytest.raises(ConnectionFailure):
        repository_for("dispute").create(draft)
    assert PostgresDisputeRepository().list_by_status_priority(status="open") == []
    assert not MirrorOutboxEntry.objects.exists()


def test_postgres_primary_failure_is_raised_and_mongo_untouched(monkeypatch):
    from disputes.rules import DISPUTE_STATES

    set_store_mode("dispute", "dual")
    repo = repository_for("dispute")
    record = repo.create(dispute_draft())
    monkeypatch.setattr(DISPUTE_STATES, "check", lambda from_status, to_status: to_status)  # let the row refuse it
    with pytest.raises(Exception, match="disputes_status_valid"):
        repo.change_status(record.id, to_status="bogus", actor_id=new_id())  # violates the check constraint
    assert domain_spec("dispute").backends()["mongo"].get(record.id) == record
    assert MirrorOutboxEntry.objects.count() == 1


def test_mongo_primary_mirror_failure_is_recorded_not_raised(monkeypatch):
    set_store_mode("dispute", "dual_mongo_primary")

    def broken(self, record):
        raise RuntimeError("postgres mirror exploded")

    monkeypatch.setattr(PostgresDisputeRepository, "put_snapshot", broken)
    record = repository_for("dispute").create(dispute_draft())
    entry = MirrorOutboxEntry.objects.get()
    assert (entry.target, entry.status, entry.attempts) == ("postgres", "pending", 1)
    assert "postgres mirror exploded" in entry.last_error

    monkeypatch.undo()
    MirrorOutboxEntry.objects.update(next_attempt_at=entry.created_at)
    assert outbox_repair_pending().repaired == 1
    assert PostgresDisputeRepository().get(record.id) == record


def test_entries_are_dead_lettered_after_the_attempt_limit(settings, monkeypatch):
    settings.CUTOVER_OUTBOX_MAX_ATTEMPTS = 2
    set_store_mode("dispute", "dual_mongo_primary")
    monkeypatch.setattr(PostgresDisputeRepository, "put_snapshot", lambda self, record: 1 / 0)
    repository_for("dispute").create(dispute_draft())
    entry = MirrorOutboxEntry.objects.get()
    MirrorOutboxEntry.objects.update(next_attempt_at=entry.created_at)
    report = outbox_repair_pending()
    assert (report.failed, report.dead) == (1, 1)
    assert MirrorOutboxEntry.objects.get().status == "dead"
