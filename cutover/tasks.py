"""Celery tasks of the cutover machinery: thin, the work is in cutover.outbox."""

from celery import shared_task

REPAIR_TIME_LIMIT = 50  # seconds; the beat runs it every minute


@shared_task(
    name="cutover.repair_mirror_outbox",
    acks_late=True,
    soft_time_limit=REPAIR_TIME_LIMIT,
    time_limit=REPAIR_TIME_LIMIT + 10,
)
def repair_mirror_outbox() -> dict:
    """Retry pending mirror writes (with backoff; dead-lettered after CUTOVER_OUTBOX_MAX_ATTEMPTS)."""
    from cutover.outbox import outbox_repair_pending
    from cutover.scheduled import run_exclusive

    def repair() -> int:
        report = outbox_repair_pending()
        return report.repaired

    return vars(run_exclusive("cutover.repair_mirror_outbox", repair, lock_seconds=REPAIR_TIME_LIMIT + 30))


@shared_task(name="cutover.backfill_shard", acks_late=True, track_started=True)  # STARTED: a worker answered
def backfill_shard(
    domain: str, collection: str, shard: int, batch_size: int, run_id: int, dry_run=False, lower="", upper=""
) -> dict:
    """One ObjectId range of a collection; safe to repeat (it resumes from its checkpoint)."""
    from cutover.backfill.shards import shard_summary

    return shard_summary(domain, collection, shard, batch_size, run_id, dry_run=dry_run, lower=lower, upper=upper)
