"""The audit of dead mirror writes put back to pending (cutover/operations/requeue.py)."""

from django.conf import settings
from django.db import models


class OutboxRequeue(models.Model):
    """Who put which dead outbox entries back to pending, when and why."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150, help_text="Kept if the user is deleted.")
    reason = models.TextField()
    domain = models.CharField(max_length=40, blank=True, help_text="The domain asked for; blank: any.")
    count = models.PositiveIntegerField(help_text="How many dead entries went back to pending.")
    entry_ids = models.JSONField(default=list, help_text="The outbox entries requeued.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "cutover_outbox_requeues"
        ordering = ["-created_at", "-id"]
        permissions = [("requeue_dead_letters", "Can put dead mirror outbox entries back to pending")]

    def __str__(self) -> str:
        return f"{self.count} requeued by {self.requested_by_name} at {self.created_at:%Y-%m-%d %H:%M}"
