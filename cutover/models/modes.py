"""Store modes and their audit history."""

from django.conf import settings
from django.db import models

from cutover.modes.store_mode import MIGRATION_ORDER

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
        # One permission model: rows come from the domain registry and change only through the audited
        # services, so Django's add/change/delete permissions of the row would do nothing; only these exist.
        default_permissions = ("view",)
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
    """Audit history: every store mode change and shadow-read percent change, who made it, and why."""

    class Kind(models.TextChoices):
        MODE = "mode", "store mode"
        SHADOW_PERCENT = "shadow_percent", "shadow read percent"  # from_mode = to_mode: the mode it was set in

    domain = models.CharField(max_length=40, db_index=True)
    # db_default too: processes still running the previous release insert rows without this column.
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MODE, db_default=Kind.MODE)
    from_mode = models.CharField(max_length=24, choices=MODE_CHOICES)
    to_mode = models.CharField(max_length=24, choices=MODE_CHOICES)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    changed_by_name = models.CharField(max_length=150, help_text="Kept if the user is deleted.")
    reason = models.TextField()
    overridden_refusal = models.TextField(blank=True, help_text="The precondition an override went past, if any.")
    from_shadow_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    to_shadow_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "cutover_store_mode_changes"
        ordering = ["-created_at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit history (mode and shadow-read changes)"

    def __str__(self) -> str:
        return f"{self.domain}: {self.change}"

    @property
    def change(self) -> str:
        if self.kind == self.Kind.SHADOW_PERCENT:
            return f"shadow reads {self.from_shadow_percent}% → {self.to_shadow_percent}% (in {self.to_mode})"
        return f"{self.from_mode} → {self.to_mode}"

    @property
    def overridden(self) -> bool:
        return bool(self.overridden_refusal)
