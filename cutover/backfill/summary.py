"""What a backfill run tells its operator when it ends: the report the command prints (JSON or lines), and
where a run stopped early (the collection and its checkpoint), which the same command resumes from."""

from cutover.models import BackfillCheckpoint, BackfillRun


def run_report(run: BackfillRun) -> dict:
    """The run's part of the command's JSON: "finished" is false for a run stopped by the deadline or a
    signal (and for a failed one); "stopped_by" says which ("" when it was not stopped)."""
    return {
        "run": run.pk,
        "status": run.status,
        "finished": run.status == BackfillRun.Status.FINISHED,
        "stopped_by": next((s.get("stopped_by", "") for s in run.summary.values() if s.get("stopped")), ""),
        "dry_run": run.dry_run,
        "collections": run.summary,
    }


def stopped_where(run: BackfillRun) -> tuple[str, str] | None:
    """(why, where) for a run stopped early at a batch boundary (the deadline, a signal, a pause or cancel),
    or None: where names the collection and its checkpoint ("payment/payments, objectId phase after 65f0..."),
    or says a dry run kept none."""
    if run.status not in (BackfillRun.Status.STOPPED, BackfillRun.Status.PAUSED, BackfillRun.Status.CANCELED):
        return None
    collection, summary = next((name, s) for name, s in run.summary.items() if s.get("stopped"))
    where = f"{run.domain}/{collection}"
    if run.dry_run:
        return summary.get("stopped_by", ""), f"{where} (a dry run keeps no checkpoint: it starts over)"
    checkpoint = (
        BackfillCheckpoint.objects.filter(collection=collection, direction=run.direction, shard=0)
        .only("phase", "last_key")
        .first()
    )
    if checkpoint is not None:
        after = f" after {checkpoint.last_key}" if checkpoint.last_key else " at its start"
        phase = f"{checkpoint.phase} phase" if run.direction == BackfillRun.Direction.FORWARD else "checkpoint"
        where += f", {phase}{after}"
    return summary.get("stopped_by", ""), where
