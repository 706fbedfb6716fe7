"""The mirror outbox and shadow-read mismatches."""

from django.db import models


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


class ShadowReadTally(models.Model):
    """How many reads were shadow-read (sampled) per domain and second: the soak before `dual → postgres`
    counts them (cutover.operations.soak), beside the ShadowMismatch rows of the same period."""

    domain = models.CharField(max_length=40)
    second = models.DateTimeField(help_text="The second the reads were made in (UTC, truncated).")
    reads = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "cutover_shadow_read_tallies"
        constraints = [models.UniqueConstraint(fields=["domain", "second"], name="shadow_tally_domain_second")]

    def __str__(self) -> str:
        return f"{self.domain} {self.second:%Y-%m-%d %H:%M:%S}: {self.reads} shadow read(s)"


class MirrorRelayHeartbeat(models.Model):
    """When each running mirror relay last went round its loop (cutover.mirror.heartbeat): a relay that
    stops beating (killed, hung on a lock) shows in /api/health, the dashboard and /metrics."""

    relay = models.CharField(max_length=120, primary_key=True, help_text="host:pid of the relay process.")
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    class Meta:
        db_table = "cutover_mirror_relay_heartbeats"

    def __str__(self) -> str:
        return f"{self.relay} beat at {self.beat_at:%Y-%m-%d %H:%M:%S}"
