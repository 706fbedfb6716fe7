from django.db import models

from cutover.store.fields import LegacyShapeColumns, ObjectIdField


class PointTransaction(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    points = models.BigIntegerField(help_text="Negative when points were spent or taken away.")
    reason = models.TextField(blank=True)
    # Not a foreign key: it may name a record of any collection.
    reference_id = ObjectIdField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "point_transactions"
        indexes = [models.Index(fields=["user", "-created_at"], name="point_transactions_user_idx")]

    def __str__(self) -> str:
        return f"{self.points:+d} points: {self.reason}"
