"""Reverse backfill: bring Mongo up to date from Postgres, in the legacy document shape,
before a domain rolls back from `postgres` towards `mongo`.

Each record goes through the Mongo backend's put_snapshot, which never replaces a
newer document with an older one; so a batch redone after a kill is harmless, and
the checkpoint is saved after its batch's writes."""

import time

from django.utils import timezone

from ..filters import Between
from ..models import BackfillCheckpoint, BackfillRun
from ..registry import domain_spec
from .progress import Progress
from .runner import CollectionSummary, finish_run
from .service import domain_lock


def reverse_backfill_domain(
    domain: str,
    *,
    batch_size: int = 1000,
    restart: bool = False,
    max_minutes: float | None = None,
    show_progress: bool = False,
) -> BackfillRun:
    spec = domain_spec(domain)
    deadline = time.monotonic() + max_minutes * 60 if max_minutes else None
    with domain_lock(spec.name, "backfill"):
        run = BackfillRun.objects.create(domain=spec.name, direction=BackfillRun.Direction.REVERSE)
        summaries: dict[str, CollectionSummary] = {}
        for collection in spec.collections:
            summaries[collection] = _reverse_collection(
                spec, collection, run, batch_size, restart, deadline, show_progress
            )
            if summaries[collection].stopped:
                break
        return finish_run(run, summaries)


def _reverse_collection(spec, collection, run, batch_size, restart, deadline, show_progress) -> CollectionSummary:
    started, summary = time.monotonic(), CollectionSummary()
    postgres, mongo = spec.build_postgres_repository(), spec.build_mongo_repository()
    record_type = spec.record_map(collection).record_type
    checkpoint = _checkpoint(spec.name, collection, restart)
    progress = (
        Progress(f"{spec.name}/{collection} → mongo", postgres._count(record_type, {})) if show_progress else None
    )
    while not checkpoint.done:
        if deadline and time.monotonic() >= deadline:
            summary.stopped = True
            break
        records = postgres._find(
            record_type, {"id": Between(checkpoint.last_key or None, None)}, order=("id",), limit=batch_size
        )
        for record in records:
            mongo.put_snapshot(record)
        checkpoint.done = len(records) < batch_size
        checkpoint.last_key = records[-1].id if records else checkpoint.last_key
        checkpoint.read += len(records)
        checkpoint.written += len(records)
        checkpoint.run = run
        checkpoint.save()
        summary.read += len(records)
        summary.written += len(records)
        if progress:
            progress.update(summary.read)
    if progress:
        progress.finish()
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def _checkpoint(domain: str, collection: str, restart: bool) -> BackfillCheckpoint:
    checkpoint, _ = BackfillCheckpoint.objects.get_or_create(
        collection=collection, direction=BackfillRun.Direction.REVERSE, shard=0, defaults={"domain": domain}
    )
    if restart or checkpoint.done:
        checkpoint.last_key, checkpoint.done, checkpoint.read, checkpoint.written = "", False, 0, 0
        checkpoint.updated_at = timezone.now()
        checkpoint.save()
    return checkpoint
