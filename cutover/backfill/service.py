"""Backfill of whole domains: the entry point the command, the Celery shards and the tests use."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from escrow_project.mongo import mongo_database

from ..models import BackfillCheckpoint, BackfillRun
from ..registry import DomainSpec, domain_spec
from .runner import CollectionSummary, PassOptions, backfill_collection, checkpoint_for, finish_run
from .source import PHASES, DocumentSource, MongoDocumentSource


class BackfillRefused(RuntimeError):
    """A backfill that may not run (or go on) now; str() says why and what to do. No data was written."""


class BackfillAlreadyRunning(BackfillRefused):
    pass


def mongo_failure(error: Exception) -> str:
    """A pymongo error in one line for people (pymongo's own message runs to a topology dump)."""
    lines = str(error).splitlines()
    return f"the legacy Mongo store did not answer ({type(error).__name__}: {lines[0][:300] if lines else ''})"


def migration_source() -> DocumentSource:
    """Backfills read MIGRATION_MONGO_URL (default MONGO_URL)."""
    from django.conf import settings

    return MongoDocumentSource(mongo_database(settings.MIGRATION_MONGO_URL or settings.MONGO_URL, long_running=True))


def backfill_domain(
    domain: str,
    *,
    source: DocumentSource | None = None,
    batch_size: int = 1000,
    dry_run: bool = False,
    restart: bool = False,
    max_minutes: float | None = None,
    show_progress: bool = False,
) -> BackfillRun:
    """Backfill every collection of `domain`, resuming from its checkpoints."""
    spec = domain_spec(domain)
    if not dry_run:
        refuse_while_postgres_only(spec.name)
    source = source or migration_source()
    options = PassOptions(
        batch_size=batch_size,
        dry_run=dry_run,
        show_progress=show_progress,
        deadline=time.monotonic() + max_minutes * 60 if max_minutes else None,
    )
    with domain_lock(spec.name, "backfill"):
        run = BackfillRun.objects.create(domain=spec.name, dry_run=dry_run)
        summaries: dict[str, CollectionSummary] = {}
        try:
            for collection in spec.collections:
                checkpoint = _checkpoint(spec, collection, restart, dry_run)
                summaries[collection] = backfill_collection(spec, collection, source, run, checkpoint, options)
                summaries.update(getattr(summaries[collection], "element_summaries", {}))
                if summaries[collection].stopped:
                    break
                if dry_run:
                    summaries[collection].rejected += odd_ids_a_real_run_would_reject(source, collection)
        except Exception as error:
            finish_run(run, summaries, error=f"{type(error).__name__}: {error}")
            raise
        return finish_run(run, summaries)


def refuse_while_postgres_only(domain: str) -> None:
    """In `postgres` mode Mongo is no longer written: its copy is stale, and loading it would bring back
    records deleted since (and, for rows already there, nothing else). Move back to `dual` first."""
    from ..modes import StoreMode
    from .load import live_mode

    if live_mode(domain) is StoreMode.POSTGRES:
        raise BackfillRefused(
            f"refused: {domain} is in postgres mode, where Mongo is no longer written; a forward backfill would "
            f"copy its stale documents back (resurrecting records deleted since). Nothing was written."
        )


def odd_ids_a_real_run_would_reject(source: DocumentSource, collection: str) -> int:
    """A real run rejects documents with odd _ids after its keyset phases; a dry run only counts them,
    so that its report says what the real run would do."""
    return len(source.other_ids(collection))


@contextmanager
def domain_lock(domain: str, purpose: str) -> Iterator[None]:
    """A session advisory lock: a second run on the same domain, from any machine, is refused.
    It is released when the run ends or its connection dies (a killed process holds nothing)."""
    key = f"escrow-{purpose}:{domain}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key])
        acquired = cursor.fetchone()[0]
    if not acquired:
        running = BackfillRun.objects.filter(domain=domain, status=BackfillRun.Status.RUNNING).first()
        since = f" (run #{running.pk}, started {running.started_at:%Y-%m-%d %H:%M:%S} UTC)" if running else ""
        raise BackfillAlreadyRunning(
            f"a {purpose} of {domain} is already running{since}; "
            f"wait for it to finish, or stop it, before starting another"
        )
    _mark_interrupted(domain)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])


def _mark_interrupted(domain: str) -> None:
    """Runs still marked running while we hold the lock died without finishing (kill -9)."""
    BackfillRun.objects.filter(domain=domain, status=BackfillRun.Status.RUNNING).update(
        status=BackfillRun.Status.FAILED, error="interrupted (the process died)", finished_at=timezone.now()
    )


def _checkpoint(spec: DomainSpec, collection: str, restart: bool, dry_run: bool) -> BackfillCheckpoint:
    if dry_run:  # from the start, never saved
        return BackfillCheckpoint(domain=spec.name, collection=collection, phase=PHASES[0])
    return checkpoint_for(spec, collection, restart=restart)
