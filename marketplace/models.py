"""Postgres schema of the marketplace domain. Foreign keys follow the backfill order."""

from django.db import models

from cutover.store.fields import MONEY, LegacyShapeColumns, ObjectIdField, OrderedJSONField, choices_check, choices_of

from .records import OFFER_STATUSES, REQUEST_STATUSES


class Category(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    is_active = models.BooleanField(default=True)
    sort_order = models.IntegerField(default=0)

    class Meta:
        db_table = "categories"
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class SellerOffer(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    seller = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    price = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=choices_of(OFFER_STATUSES))
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "seller_offers"
        indexes = [models.Index(fields=["seller", "status"], name="offers_seller_status_idx")]
        constraints = [
            choices_check("status", OFFER_STATUSES, "seller_offers_status_valid"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="seller_offers_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class PurchaseRequest(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    buyer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    seller_offer = models.ForeignKey(SellerOffer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=choices_of(REQUEST_STATUSES))
    accepted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "purchase_requests"
        indexes = [
            models.Index(fields=["buyer", "status"], name="requests_buyer_status_idx"),
            models.Index(fields=["seller", "status"], name="requests_seller_status_idx"),
        ]
        constraints = [
            choices_check("status", REQUEST_STATUSES, "purchase_requests_status_valid"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="purchase_requests_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class RequestTemplate(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    owner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    fields = OrderedJSONField(default=list)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "request_templates"

    def __str__(self) -> str:
        return self.title
