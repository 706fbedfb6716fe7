"""Postgres schema of the dispute domain; foreign keys follow the backfill order."""

from django.db import models

from cutover.store.fields import LegacyFieldsColumn, LegacyShapeColumns, ObjectIdField, choices_check, choices_of

from .records import PRIORITIES, REASONS, STATUSES


class Dispute(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    purchase_request = models.ForeignKey("marketplace.PurchaseRequest", on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey("payments.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    against_user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    admin = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=choices_of(REASONS, spaced_labels=True))
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=choices_of(STATUSES, spaced_labels=True))
    priority = models.CharField(max_length=10, choices=choices_of(PRIORITIES, spaced_labels=True))
    resolution = models.TextField(null=True, blank=True)  # noqa: DJ001 - None and "" differ in the legacy data
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "disputes"
        indexes = [
            models.Index(fields=["status", "priority"], name="disputes_status_priority_idx"),
            models.Index(fields=["admin", "status"], name="disputes_admin_id_status_idx"),
        ]
        constraints = [
            choices_check("status", STATUSES, "disputes_status_valid"),
            choices_check("priority", PRIORITIES, "disputes_priority_valid"),
            choices_check("reason", REASONS, "disputes_reason_valid"),
        ]

    def __str__(self) -> str:
        return f"dispute {self.id} ({self.status})"


class DisputeTimelineEntry(LegacyFieldsColumn):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="timeline")
    position = models.PositiveIntegerField()  # index in the legacy embedded array
    at = models.DateTimeField()
    actor_id = ObjectIdField(null=True, blank=True)  # kept as written: history outlives accounts
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001
    to_status = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001
    note = models.TextField(blank=True)

    class Meta:
        db_table = "dispute_timeline_entries"
        ordering = ["dispute", "position"]
        constraints = [models.UniqueConstraint(fields=["dispute", "position"], name="dispute_timeline_position_unique")]

    def __str__(self) -> str:
        return f"{self.dispute_id}#{self.position} {self.action}"


class DisputeEvidence(LegacyFieldsColumn):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    position = models.PositiveIntegerField()
    url = models.TextField()
    uploaded_by_id = ObjectIdField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        db_table = "dispute_evidence"
        verbose_name_plural = "dispute evidence"
        ordering = ["dispute", "position"]
        constraints = [models.UniqueConstraint(fields=["dispute", "position"], name="dispute_evidence_position_unique")]

    def __str__(self) -> str:
        return f"{self.dispute_id}#{self.position} {self.url}"
