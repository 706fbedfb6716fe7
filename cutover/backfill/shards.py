"""A backfill spread over Celery workers: each collection's ObjectId range is cut into
shards, each a task with its own checkpoint; the command shows their combined progress
and waits. Workers on several machines share the load through the Redis broker.

The command holds the domain lock while it waits, so the wait is bounded when no worker
answers; a dry run's shards read and validate only (no checkpoint, no row, no reject)."""

import time
from dataclasses import asdict

from bson import ObjectId
from celery import shared_task
from django.conf import settings

from cutover.backfill.deletes import sweep_domain
from cutover.backfill.progress import Progress
from cutover.backfill.run import BackfillRefused, backfill_run, deadline_after
from cutover.backfill.runner import CollectionSummary, PassOptions, backfill_collection, checkpoint_for
from cutover.backfill.service import odd_ids_a_real_run_would_reject, refuse_while_postgres_only
from cutover.backfill.source import PHASES, migration_source
from cutover.models import BackfillCheckpoint, BackfillRun
from cutover.modes.registry import domain_spec

POLL_SECONDS = 1.0


def shard_bounds(low: ObjectId, high: ObjectId, shards: int) -> list[tuple[str, str]]:
    """(lower exclusive, upper inclusive) ObjectId ranges; the outer ends are open ("")."""
    start, end = int(str(low), 16) - 1, int(str(high), 16)
    step = max(1, -(-(end - start) // shards))
    cuts = [min(start + step * i, end) for i in range(1, shards)]
    edges = ["", *(f"{cut:024x}" for cut in cuts), ""]
    return list(zip(edges[:-1], edges[1:], strict=True))


class NoWorkerAnswered(BackfillRefused):
    pass


class BrokerLost(BackfillRefused):
    """Redis (the broker and result backend) stayed away longer than the command waits for it."""


def _broker_errors() -> tuple[type[BaseException], ...]:
    import redis
    from kombu.exceptions import OperationalError

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OperationalError, ConnectionError)


class _BrokerWatch:
    """Calls to the broker while shards run: a Redis restart is waited out (the shards keep their checkpoints in
    PostgreSQL, workers reconnect by themselves); an outage longer than `patience` seconds ends the run with
    one line that says what to do, not a traceback."""

    def __init__(self, collection: str, patience: float):
        self.collection, self.patience = collection, patience
        self.away_since: float | None = None
        self.results: list = []  # the shards' results: let go without Redis when it is lost

    def lost(self, message: str) -> BrokerLost:
        for result in self.results:
            result.backend = None  # else each one's __del__ calls the lost Redis at exit: a traceback per shard
        return BrokerLost(message)

    def ask(self, question, default):
        try:
            answer = question()
        except _broker_errors() as error:
            now = time.monotonic()
            self.away_since = self.away_since or now
            if now - self.away_since > self.patience:
                raise self.lost(
                    f"lost Redis (REDIS_URL, the Celery broker) for over {self.patience:g}s while shards of "
                    f"{self.collection} ran ({type(error).__name__}: {str(error).strip()[:200]}); the run is marked "
                    f"failed. Rerun when Redis is back: it resumes at each shard's checkpoint."
                ) from None
            return default
        self.away_since = None
        return answer


def backfill_domain_via_celery(
    domain: str,
    *,
    shards: int,
    batch_size: int = 1000,
    dry_run: bool = False,
    restart: bool = False,
    max_minutes: float | None = None,
    show_progress: bool = False,
    worker_wait_seconds: float | None = None,
) -> BackfillRun:
    """Each collection's ObjectId range as `shards` Celery tasks, then the few other ids here.

    With no worker taking any shard within `worker_wait_seconds` (CUTOVER_BACKFILL_WORKER_WAIT_SECONDS),
    it gives up: the shards are revoked (and skip themselves should a worker take one later, since the
    run is no longer running), the run is marked failed and the domain lock released."""
    spec = domain_spec(domain)
    if not dry_run:
        refuse_while_postgres_only(spec.name)
    source = migration_source()
    wait = settings.CUTOVER_BACKFILL_WORKER_WAIT_SECONDS if worker_wait_seconds is None else worker_wait_seconds
    # Ended however it ends (Ctrl-C too), the run is finished: shards still queued then see it and skip.
    with backfill_run(spec.name, dry_run=dry_run) as progress:
        run = progress.run
        stopped = False
        for collection in spec.collections:
            total = _sharded(spec, collection, source, run, shards, batch_size, dry_run, restart, wait, show_progress)
            other = _other_ids_in_process(spec, collection, source, run, batch_size, dry_run, restart, max_minutes)
            total.add(other)
            progress.summaries[collection] = total
            stopped = stopped or other.stopped
        if not stopped:  # every collection loaded: rows whose documents are gone follow the deletes
            sweep_domain(spec, progress.summaries, run, source, batch_size=batch_size, dry_run=dry_run)
    return progress.run


def _sharded(spec, collection, source, run, shards, batch_size, dry_run, restart, wait, show_progress):
    total = CollectionSummary()
    low, high = source.id_bounds(collection)
    if low is None:
        return total
    bounds = shard_bounds(low, high, shards)
    if not dry_run:  # a dry shard starts from its bounds in memory: no checkpoint is written
        for number, (lower, upper) in enumerate(bounds, start=1):
            checkpoint_for(spec, collection, shard=number, restart=restart, lower=lower, upper=upper)
    watch = _BrokerWatch(collection, patience=wait)
    results = [
        watch.ask(
            lambda lower=lower, upper=upper, number=number: backfill_shard.apply_async(
                args=(spec.name, collection, number, batch_size, run.pk),
                kwargs={"dry_run": dry_run, "lower": lower, "upper": upper},
                retry_policy={"max_retries": 3, "interval_start": 0.5, "interval_step": 1.0},
            ),
            None,
        )
        for number, (lower, upper) in enumerate(bounds, start=1)
    ]
    watch.results = [result for result in results if result is not None]
    if None in results:
        raise watch.lost(f"Redis (REDIS_URL, the Celery broker) took no shard of {collection}; rerun when it is back")
    _wait(results, collection, source.count(collection), show_progress, wait, watch)
    for result in results:
        summary = watch.ask(result.get, None)
        if summary is None:
            raise watch.lost(f"Redis (REDIS_URL) lost a shard's result of {collection}; rerun: it resumes there")
        total.add(CollectionSummary(**summary))
    return total


def _other_ids_in_process(spec, collection, source, run, batch_size, dry_run, restart, max_minutes):
    """String and number _ids, odd ids and retries of open rejects: few, so here rather than in shards."""
    if dry_run:
        checkpoint = BackfillCheckpoint(domain=spec.name, collection=collection, phase="string")
    else:
        checkpoint = checkpoint_for(spec, collection, restart=restart)
        if checkpoint.phase == "objectId":
            checkpoint.phase, checkpoint.last_key = "string", ""
            checkpoint.save()
    options = PassOptions(
        batch_size=batch_size,
        dry_run=dry_run,
        show_progress=False,
        deadline=deadline_after(max_minutes),
    )
    summary = backfill_collection(spec, collection, source, run, checkpoint, options)
    if dry_run and not summary.stopped:
        summary.rejected += odd_ids_a_real_run_would_reject(source, collection)
    return summary


def _wait(results: list, collection: str, total: int, show_progress: bool, worker_wait: float, watch) -> None:
    progress = Progress(f"{collection} ({len(results)} shards)", total) if show_progress else None
    give_up_at = time.monotonic() + worker_wait
    while not watch.ask(lambda: all(result.ready() for result in results), False):
        taken = watch.ask(lambda: any(_taken(result) for result in results), True)
        if time.monotonic() >= give_up_at and not taken:
            _give_up(results, collection, worker_wait)
        if progress:
            progress.update(_shards_read(collection))
        time.sleep(POLL_SECONDS)
    if progress:
        progress.update(_shards_read(collection))
        progress.finish()
    failed = [result for result in results if watch.ask(result.failed, False)]
    if failed:
        raise RuntimeError(f"{len(failed)} shard(s) of {collection} failed: {failed[0].result!r}; rerun to resume")


def _taken(result) -> bool:
    """A worker has the shard (the task tracks STARTED) or already finished it."""
    return result.state != "PENDING"


def _give_up(results: list, collection: str, worker_wait: float) -> None:
    for result in results:
        result.revoke()
    raise NoWorkerAnswered(
        f"no Celery worker took any of the {len(results)} shard(s) of {collection} within {worker_wait:g}s: "
        f"start workers on the broker at REDIS_URL (`celery -A escrow_project worker`), or run without "
        f"--via-celery. Nothing of {collection} was written; the shards were revoked and the lock released."
    )


def _shards_read(collection: str) -> int:
    rows = BackfillCheckpoint.objects.filter(collection=collection, direction="forward", shard__gt=0)
    return sum(rows.values_list("read", flat=True))


@shared_task(name="cutover.backfill_shard", acks_late=True, track_started=True)  # STARTED: a worker answered
def backfill_shard(
    domain: str, collection: str, shard: int, batch_size: int, run_id: int, dry_run=False, lower="", upper=""
) -> dict:
    """One ObjectId range of a collection; safe to repeat (it resumes from its checkpoint)."""
    return shard_summary(domain, collection, shard, batch_size, run_id, dry_run=dry_run, lower=lower, upper=upper)


def shard_summary(
    domain: str, collection: str, shard: int, batch_size: int, run_id: int, *, dry_run: bool, lower: str, upper: str
) -> dict:
    """The body of the backfill_shard task: one shard's pass from its checkpoint (a dry one from its bounds)."""
    spec = domain_spec(domain)
    run = BackfillRun.objects.get(pk=run_id)
    if run.status != BackfillRun.Status.RUNNING:  # taken after the command gave up (or died): not under its lock
        return asdict(CollectionSummary())
    if dry_run:
        checkpoint = BackfillCheckpoint(
            domain=domain, collection=collection, shard=shard, lower_id=lower, upper_id=upper, phase=PHASES[0]
        )
    else:
        checkpoint = BackfillCheckpoint.objects.get(collection=collection, direction="forward", shard=shard)
    options = PassOptions(batch_size=batch_size, dry_run=dry_run, show_progress=False)
    summary = backfill_collection(spec, collection, migration_source(), run, checkpoint, options)
    return asdict(summary)
