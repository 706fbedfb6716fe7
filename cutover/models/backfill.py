"""Backfill runs, their resumable checkpoints, rejected documents, and verify results."""

from django.conf import settings
from django.db import models


class BackfillRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"
        FINISHED = "finished"
        STOPPED = "stopped"  # --max-minutes reached, or a signal; the next run resumes
        FAILED = "failed"
        PAUSED = "paused"  # paused by an operator at a batch boundary; resuming continues from the checkpoints
        CANCELED = "canceled"  # ended by an operator at a batch boundary; never resumed as such

    class Direction(models.TextChoices):
        FORWARD = "forward"  # Mongo -> Postgres
        REVERSE = "reverse"  # Postgres -> Mongo, for a rollback

    domain = models.CharField(max_length=40, db_index=True)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.FORWARD)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    dry_run = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, help_text="Per collection: read, written, unchanged, rejected, seconds.")
    error = models.TextField(blank=True)
    requested = models.CharField(
        max_length=8, blank=True, help_text="pause or cancel, asked by an operator; the run obeys at its next batch"
    )
    progress = models.JSONField(default=dict, help_text="Live, per collection: done, total, rate, ETA.")
    decisions = models.JSONField(default=list, help_text="Audited pause/resume/cancel: who, why, when.")

    class Meta:
        db_table = "cutover_backfill_runs"
        ordering = ["-started_at", "-id"]
        permissions = [("control_backfillrun", "Can start, pause, resume and cancel a backfill or verify run")]

    def __str__(self) -> str:
        return f"{self.direction} backfill of {self.domain} #{self.pk} ({self.status})"


class BackfillCheckpoint(models.Model):
    """Where a collection's (shard's) backfill got to: committed with each batch."""

    domain = models.CharField(max_length=40)
    collection = models.CharField(max_length=40)
    direction = models.CharField(max_length=8, default=BackfillRun.Direction.FORWARD)
    shard = models.PositiveIntegerField(default=0)
    lower_id = models.CharField(max_length=24, blank=True, help_text="Shard range start (exclusive); blank: none.")
    upper_id = models.CharField(max_length=24, blank=True, help_text="Shard range end (inclusive); blank: none.")
    phase = models.CharField(max_length=10, default="objectId", help_text="Which kind of _id is being read.")
    last_key = models.TextField(blank=True, help_text="The last _id done in this phase, as extended JSON.")
    done = models.BooleanField(default=False)
    read = models.BigIntegerField(default=0)
    written = models.BigIntegerField(default=0)
    unchanged = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0, help_text="Documents to read when this pass started (for progress).")
    run = models.ForeignKey(BackfillRun, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "cutover_backfill_checkpoints"
        constraints = [
            models.UniqueConstraint(fields=["collection", "direction", "shard"], name="backfill_checkpoint_unique")
        ]

    def __str__(self) -> str:
        return f"{self.collection}#{self.shard} {self.phase}:{self.last_key or '-'}"


RECORD_ID_CHARS = 200


class BackfillReject(models.Model):
    """A document that could not be migrated as it is. A later run retries it.

    An open reject blocks the move to a Postgres-primary mode until a rerun loads the document
    (resolved) or a user accepts, with a reason, that it stays out of Postgres (acknowledged)."""

    class Status(models.TextChoices):
        OPEN = "open"
        ACKNOWLEDGED = "acknowledged"  # still not migrated, on purpose: who, when and why are kept
        RESOLVED = "resolved"

    UNRESOLVED = (Status.OPEN, Status.ACKNOWLEDGED)

    run = models.ForeignKey(BackfillRun, null=True, on_delete=models.SET_NULL, related_name="rejects")
    domain = models.CharField(max_length=40)
    collection = models.CharField(max_length=40)
    record_id = models.CharField(
        max_length=RECORD_ID_CHARS, help_text="The document's _id as text (a very long one shortened, with a hash)."
    )
    kind = models.CharField(max_length=20, help_text="bad_value, orphan, unique_clash, conflict, bad_id, database")
    reason = models.TextField()
    document = models.JSONField(help_text="The document as extended JSON.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    blocked_by = models.CharField(
        max_length=120,
        blank=True,
        help_text="collection/_id of the rejected parent this orphan waits for; blank: none.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_by_name = models.CharField(max_length=150, blank=True, help_text="Kept if the user is deleted.")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_reason = models.TextField(blank=True, help_text="Why it may stay out of Postgres.")
    # Rejects that carry money (cutover.backfill.money_rejects): the balance effect shown, and how it was settled.
    money_effect = models.TextField(blank=True, help_text="The balance effect shown when money was decided on.")
    compensating_entry_id = models.CharField(
        max_length=40, blank=True, help_text="The entry that carried this reject's money into the ledger."
    )
    money_drop_requested_by_name = models.CharField(
        max_length=150, blank=True, help_text="Who asked to leave the money out; another user must confirm."
    )
    money_drop_requested_at = models.DateTimeField(null=True, blank=True)
    money_drop_request_reason = models.TextField(blank=True)

    class Meta:
        db_table = "cutover_backfill_rejects"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["collection", "status"], name="backfill_reject_open_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "record_id"],
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="backfill_reject_one_unresolved",
            )
        ]
        permissions = [("acknowledge_backfillreject", "Can acknowledge a backfill reject (it stays out of Postgres)")]

    def __str__(self) -> str:
        return f"{self.collection}/{self.record_id}: {self.kind}"


class VerifyResult(models.Model):
    domain = models.CharField(max_length=40, db_index=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(auto_now_add=True)
    passed = models.BooleanField()
    counts = models.JSONField(default=dict, help_text="Per collection: compared, missing, extra, differing.")
    samples = models.JSONField(default=dict, help_text="Per collection: the first differing ids, with fields.")

    class Meta:
        db_table = "cutover_verify_results"
        ordering = ["-finished_at", "-id"]

    def __str__(self) -> str:
        return f"verify {self.domain}: {'pass' if self.passed else 'FAIL'} at {self.finished_at:%Y-%m-%d %H:%M}"


class BackfillRangeDigest(models.Model):
    """What one batch range of a forward backfill looked like when it last loaded cleanly (no reject, nothing
    skipped): a digest of its documents and one of its Postgres rows. A rerun that finds both unchanged skips
    the range without transforming or loading it (cutover.backfill.digest)."""

    collection = models.CharField(max_length=40)
    low = models.CharField(max_length=64, blank=True, help_text="Range start, exclusive (blank: none).")
    high = models.CharField(max_length=64, help_text="Range end, inclusive.")
    documents = models.PositiveIntegerField()
    source_digest = models.CharField(max_length=32)
    rows_digest = models.CharField(max_length=32)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "cutover_backfill_range_digests"
        indexes = [models.Index(fields=["collection", "high"], name="backfill_digest_range")]

    def __str__(self) -> str:
        return f"{self.collection} ({self.low or '-'}, {self.high}]"
