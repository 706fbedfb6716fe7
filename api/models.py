"""The API's own table: the record of who changed what (api.changes writes it)."""

from django.conf import settings
from django.db import models


class ApiChange(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150, help_text="as it was at the time of the change")
    action = models.CharField(max_length=60, help_text="e.g. payment.update, dispute.change_status")
    record_id = models.CharField(max_length=24, db_index=True)
    changes = models.JSONField(help_text="what the request asked for, as validated")

    class Meta:
        db_table = "api_changes"
        verbose_name = "API change"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.record_id} by {self.username}"
