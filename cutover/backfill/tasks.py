"""The cockpit's runs as Celery tasks: a backfill (forward or reverse) or a verify of one domain, started by
an audited decision (cutover.operations.backfill_control); the decision is kept on the run it started."""

from celery import shared_task

from cutover.backfill.control import Throttle, open_next_run_with
from cutover.models import BackfillRun


@shared_task(name="cutover.backfill_domain", acks_late=False)
def backfill_task(domain: str, *, direction: str, dry_run: bool, batch_size: int, throttle: dict, decision: dict):
    """One run of `domain`, as `backfill [--reverse] [--dry-run]` runs it; returns the run's number."""
    from cutover.backfill.reverse import reverse_backfill_domain
    from cutover.backfill.service import backfill_domain

    start = reverse_backfill_domain if direction == BackfillRun.Direction.REVERSE else backfill_domain
    options = {"batch_size": batch_size, "dry_run": dry_run, "throttle": Throttle(**throttle)}
    open_next_run_with(decision)
    try:
        return start(domain, **options).pk
    finally:
        open_next_run_with(None)


@shared_task(name="cutover.verify_domain", acks_late=False)
def verify_task(domain: str, *, range_size: int = 1000) -> int:
    """A verify of `domain`, stored as `manage.py verify` stores it; returns the result's number."""
    from cutover.backfill.verify import verify_domain

    return verify_domain(domain, range_size=range_size).pk
