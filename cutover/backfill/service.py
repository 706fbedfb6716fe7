"""Forward backfill of whole domains in this process: the entry point the command and the tests use."""

import time

from cutover.backfill.control import Throttle
from cutover.backfill.deletes import sweep_domain
from cutover.backfill.run import BackfillRefused, backfill_run, deadline_after
from cutover.backfill.runner import PassOptions, backfill_collection, checkpoint_for
from cutover.backfill.source import PHASES, DocumentSource, migration_source
from cutover.models import BackfillCheckpoint, BackfillRun
from cutover.modes.registry import DomainSpec, domain_spec


def backfill_domain(
    domain: str,
    *,
    source: DocumentSource | None = None,
    batch_size: int = 1000,
    dry_run: bool = False,
    restart: bool = False,
    max_minutes: float | None = None,
    show_progress: bool = False,
    throttle: Throttle | None = None,
) -> BackfillRun:
    """Backfill every collection of `domain`, resuming from its checkpoints (under `throttle`: its control)."""
    spec = domain_spec(domain)
    if not dry_run:
        refuse_while_postgres_only(spec.name)
    source = source or migration_source()
    options = PassOptions(
        batch_size=batch_size,
        dry_run=dry_run,
        show_progress=show_progress,
        deadline=deadline_after(max_minutes, clock=time.monotonic),  # this module's clock (tests script it)
        skip_unchanged=not restart,
    )
    with backfill_run(spec.name, dry_run=dry_run, throttle=throttle) as progress:
        for collection in spec.collections:
            checkpoint = _checkpoint(spec, collection, restart, dry_run)
            summary = progress.summaries[collection] = backfill_collection(
                spec, collection, source, progress.run, checkpoint, options
            )
            progress.summaries.update(getattr(summary, "element_summaries", {}))
            if summary.stopped:
                break
            if dry_run:
                summary.rejected += odd_ids_a_real_run_would_reject(source, collection)
        else:  # every collection loaded: rows whose documents are gone follow the deletes (Mongo-led modes)
            sweep_domain(spec, progress.summaries, progress.run, source, batch_size=batch_size, dry_run=dry_run)
    return progress.run


def refuse_while_postgres_only(domain: str) -> None:
    """In `postgres` mode Mongo is no longer written: its copy is stale, and loading it would bring back
    records deleted since (and, for rows already there, nothing else). Move back to `dual` first."""
    from cutover.backfill.load import live_mode
    from cutover.modes.store_mode import StoreMode

    if live_mode(domain) is StoreMode.POSTGRES:
        raise BackfillRefused(
            f"refused: {domain} is in postgres mode, where Mongo is no longer written; a forward backfill would "
            f"copy its stale documents back (resurrecting records deleted since). Nothing was written."
        )


def odd_ids_a_real_run_would_reject(source: DocumentSource, collection: str) -> int:
    """A real run rejects documents with odd _ids after its keyset phases; a dry run only counts them,
    so that its report says what the real run would do."""
    return len(source.other_ids(collection))


def _checkpoint(spec: DomainSpec, collection: str, restart: bool, dry_run: bool) -> BackfillCheckpoint:
    if dry_run:  # from the start, never saved
        return BackfillCheckpoint(domain=spec.name, collection=collection, phase=PHASES[0])
    return checkpoint_for(spec, collection, restart=restart)
