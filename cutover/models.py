from django.conf import settings
from django.db import models

from .modes import MIGRATION_ORDER

MODE_CHOICES = [(mode.value, mode.label) for mode in MIGRATION_ORDER]


class DomainStoreMode(models.Model):
    """The live store mode of one domain. One row per registered domain."""

    domain = models.CharField(max_length=40, primary_key=True)
    mode = models.CharField(max_length=24, choices=MODE_CHOICES)
    shadow_read_percent = models.PositiveSmallIntegerField(
        default=0, help_text="In dual modes, the share of reads (0-100) also read from the other store and compared."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "cutover_store_modes"
        ordering = ["domain"]
        permissions = [
            ("change_store_mode", "Can change a domain's store mode"),
            ("override_store_mode_guard", "Can change a store mode despite a failed precondition"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shadow_read_percent__lte=100), name="store_mode_shadow_percent_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.mode}"


class StoreModeChange(models.Model):
    """Audit history: every store mode change, who made it, and why."""

    domain = models.CharField(max_length=40, db_index=True)
    from_mode = models.CharField(max_length=24, choices=MODE_CHOICES)
    to_mode = models.CharField(max_length=24, choices=MODE_CHOICES)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    changed_by_name = models.CharField(max_length=150, help_text="Kept if the user is deleted.")
    reason = models.TextField()
    overridden_refusal = models.TextField(blank=True, help_text="The precondition an override went past, if any.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "cutover_store_mode_changes"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.domain}: {self.from_mode} → {self.to_mode}"


class MirrorOutboxEntry(models.Model):
    """A record whose copy in the secondary store must be brought up to date."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        DEAD = "dead"  # gave up after CUTOVER_OUTBOX_MAX_ATTEMPTS; shown in admin

    class Target(models.TextChoices):
        MONGO = "mongo"
        POSTGRES = "postgres"

    domain = models.CharField(max_length=40)
    collection = models.CharField(max_length=40)
    record_id = models.CharField(max_length=24)
    target = models.CharField(max_length=8, choices=Target.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "cutover_mirror_outbox"
        verbose_name_plural = "mirror outbox entries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["domain", "status"], name="outbox_domain_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.collection}/{self.record_id} → {self.target} ({self.status})"


class ShadowMismatch(models.Model):
    """A dual-mode read whose secondary answer differed from the primary's, or failed."""

    class Kind(models.TextChoices):
        MISMATCH = "mismatch"
        ERROR = "error"

    domain = models.CharField(max_length=40)
    method = models.CharField(max_length=60)
    record_id = models.CharField(max_length=24, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    primary_store = models.CharField(max_length=8)
    differences = models.JSONField(default=dict, help_text="field -> [primary value, secondary value]")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "cutover_shadow_mismatches"
        verbose_name_plural = "shadow mismatches"
        indexes = [models.Index(fields=["domain", "-created_at"], name="shadow_domain_created_idx")]

    def __str__(self) -> str:
        return f"{self.domain}.{self.method} {self.record_id} ({self.kind})"


class ScheduledTaskRun(models.Model):
    """The last run of each scheduled task: the cutover check reads it to know the scheduler is alive."""

    class Outcome(models.TextChoices):
        OK = "ok"
        FAILED = "failed"
        SKIPPED = "skipped"  # another run held the lock

    task = models.CharField(max_length=100, primary_key=True)
    last_started_at = models.DateTimeField()
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_duration_seconds = models.FloatField(null=True, blank=True)
    last_count = models.BigIntegerField(null=True, blank=True, help_text="Rows removed or entries repaired.")
    last_outcome = models.CharField(max_length=8, choices=Outcome.choices)
    last_error = models.TextField(blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "cutover_scheduled_task_runs"
        ordering = ["task"]

    def __str__(self) -> str:
        return f"{self.task}: {self.last_outcome} at {self.last_started_at:%Y-%m-%d %H:%M:%S}"
