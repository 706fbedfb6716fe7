from django.db import models

from cutover.store.fields import LegacyShapeColumns, ObjectIdField, OrderedJSONField


class Notification(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    data = OrderedJSONField(default=dict, blank=True)
    is_read = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)  # the purge deletes by it

    class Meta:
        db_table = "notifications"
        indexes = [models.Index(fields=["user", "is_read", "-created_at"], name="notifications_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.type}: {self.title}"
