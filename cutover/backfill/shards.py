"""A backfill spread over Celery workers: each collection's ObjectId range is cut into
shards, each a task with its own checkpoint; the command shows their combined progress
and waits. Workers on several machines share the load through the Redis broker."""

import time
from dataclasses import asdict

from bson import ObjectId

from ..models import BackfillCheckpoint, BackfillRun
from ..registry import domain_spec
from .progress import Progress
from .runner import CollectionSummary, PassOptions, backfill_collection, checkpoint_for, finish_run
from .service import domain_lock, migration_source

POLL_SECONDS = 1.0


def shard_bounds(low: ObjectId, high: ObjectId, shards: int) -> list[tuple[str, str]]:
    """(lower exclusive, upper inclusive) ObjectId ranges; the outer ends are open ("")."""
    start, end = int(str(low), 16) - 1, int(str(high), 16)
    step = max(1, -(-(end - start) // shards))
    cuts = [min(start + step * i, end) for i in range(1, shards)]
    edges = ["", *(f"{cut:024x}" for cut in cuts), ""]
    return list(zip(edges[:-1], edges[1:], strict=True))


def backfill_domain_via_celery(
    domain: str,
    *,
    shards: int,
    batch_size: int = 1000,
    restart: bool = False,
    max_minutes: float | None = None,
    show_progress: bool = False,
) -> BackfillRun:
    from ..tasks import backfill_shard

    spec = domain_spec(domain)
    source = migration_source()
    with domain_lock(spec.name, "backfill"):
        run = BackfillRun.objects.create(domain=spec.name)
        summaries: dict[str, CollectionSummary] = {}
        for collection in spec.collections:
            low, high = source.id_bounds(collection)
            total = CollectionSummary()
            if low is not None:
                for number, (lower, upper) in enumerate(shard_bounds(low, high, shards), start=1):
                    checkpoint_for(spec, collection, shard=number, restart=restart, lower=lower, upper=upper)
                results = [
                    backfill_shard.delay(spec.name, collection, number, batch_size, run.pk)
                    for number in range(1, shards + 1)
                ]
                _wait(results, collection, source.count(collection), show_progress)
                for result in results:
                    total.add(CollectionSummary(**result.get()))
            total.add(_other_ids_in_process(spec, collection, source, run, batch_size, restart, max_minutes))
            summaries[collection] = total
        return finish_run(run, summaries)


def _other_ids_in_process(spec, collection, source, run, batch_size, restart, max_minutes) -> CollectionSummary:
    """String and number _ids, odd ids and retries of open rejects: few, so here rather than in shards."""
    checkpoint = checkpoint_for(spec, collection, restart=restart)
    if checkpoint.phase == "objectId":
        checkpoint.phase, checkpoint.last_key = "string", ""
        checkpoint.save()
    options = PassOptions(
        batch_size=batch_size,
        show_progress=False,
        deadline=time.monotonic() + max_minutes * 60 if max_minutes else None,
    )
    return backfill_collection(spec, collection, source, run, checkpoint, options)


def _wait(results: list, collection: str, total: int, show_progress: bool) -> None:
    progress = Progress(f"{collection} ({len(results)} shards)", total) if show_progress else None
    while not all(result.ready() for result in results):
        if progress:
            progress.update(_shards_read(collection))
        time.sleep(POLL_SECONDS)
    if progress:
        progress.update(_shards_read(collection))
        progress.finish()
    failed = [result for result in results if result.failed()]
    if failed:
        raise RuntimeError(f"{len(failed)} shard(s) of {collection} failed: {failed[0].result!r}; rerun to resume")


def _shards_read(collection: str) -> int:
    rows = BackfillCheckpoint.objects.filter(collection=collection, direction="forward", shard__gt=0)
    return sum(rows.values_list("read", flat=True))


def shard_summary(domain: str, collection: str, shard: int, batch_size: int, run_id: int) -> dict:
    """The body of the backfill_shard task: one shard's pass from its checkpoint."""
    spec = domain_spec(domain)
    checkpoint = BackfillCheckpoint.objects.get(collection=collection, direction="forward", shard=shard)
    run = BackfillRun.objects.get(pk=run_id)
    summary = backfill_collection(
        spec, collection, migration_source(), run, checkpoint, PassOptions(batch_size=batch_size, show_progress=False)
    )
    return asdict(summary)
