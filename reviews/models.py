from django.db import models
from django.db.models import Q

from cutover.store.fields import LegacyShapeColumns, ObjectIdField

from .records import RATINGS


class Review(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    purchase_request = models.ForeignKey("marketplace.PurchaseRequest", on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    reviewee = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    rating = models.SmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "reviews"
        constraints = [
            models.UniqueConstraint(fields=["purchase_request", "reviewer"], name="reviews_one_per_request_reviewer"),
            models.CheckConstraint(
                condition=Q(rating__gte=RATINGS.start, rating__lte=RATINGS.stop - 1), name="reviews_rating_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["reviewee", "-created_at"], name="reviews_reviewee_idx")]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.reviewee_id}"
