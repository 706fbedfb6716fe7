"""What every fault scenario checks at its end: after repair, both stores hold the same records and every
acknowledged write is there."""

from django.utils import timezone

from cutover.mirror.outbox import outbox_repair_pending
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_spec


def repair_everything() -> None:
    """What the scheduled repair does over time, now: every pending entry due, retried until none is left."""
    for _ in range(20):
        MirrorOutboxEntry.objects.filter(status="pending").update(next_attempt_at=timezone.now())
        report = outbox_repair_pending(limit=1000)
        if not MirrorOutboxEntry.objects.filter(status="pending").exists():
            return
        assert report.repaired, f"repair makes no progress: {report}"
    raise AssertionError("outbox still pending after 20 repairs")


def differing_records(domain: str, collection: str, ids) -> list[str]:
    """Ids whose record is not the same in Mongo and Postgres (or missing from either)."""
    stores = domain_spec(domain).backends()
    return sorted(
        record_id
        for record_id in ids
        if stores["mongo"].get_snapshot(collection, record_id) != stores["postgres"].get_snapshot(collection, record_id)
        or stores["postgres"].get_snapshot(collection, record_id) is None
    )
