"""Postgres schema of the payment and derived_destination domains.

`destination_id` on payments and `trezor_account_id` on destinations stay
plain ObjectId columns: those tables are backfilled after the ones pointing
at them (docs/legacy-collections.md's order), so a foreign key would refuse the backfill.
"""

from django.db import models
from django.db.models import Q

from cutover.store.fields import MONEY, LegacyShapeColumns, ObjectIdField, choices_check, choices_of

from .records import CURRENCIES, DESTINATION_STATUSES, NETWORKS, PAYMENT_STATUSES, SELLER_REF_KINDS


class Payment(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    purchase_request = models.ForeignKey("marketplace.PurchaseRequest", on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=5, choices=choices_of(CURRENCIES))
    network = models.CharField(max_length=10, choices=choices_of(NETWORKS))
    status = models.CharField(max_length=10, choices=choices_of(PAYMENT_STATUSES))
    tx_hash = models.CharField(max_length=100, null=True, blank=True, unique=True)
    confirmations = models.PositiveIntegerField(default=0)
    destination_id = ObjectIdField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "payments"
        constraints = [
            choices_check("status", PAYMENT_STATUSES, "payments_status_valid"),
            choices_check("currency", CURRENCIES, "payments_currency_valid"),
            choices_check("network", NETWORKS, "payments_network_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"payment {self.id} {self.amount} {self.currency} ({self.status})"


class DerivedDestination(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    purchase_request = models.ForeignKey("marketplace.PurchaseRequest", on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=120)
    network = models.CharField(max_length=10, choices=choices_of(NETWORKS))
    derivation_path = models.CharField(max_length=100)
    trezor_account_id = ObjectIdField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=choices_of(DESTINATION_STATUSES))
    seller_ref_kind = models.CharField(max_length=8, choices=choices_of(SELLER_REF_KINDS))
    seller_user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    seller_offer = models.ForeignKey(
        "marketplace.SellerOffer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    seller_external_ref = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "derived_destinations"
        constraints = [
            models.UniqueConstraint(fields=["network", "address"], name="derived_destinations_address_unique"),
            choices_check("status", DESTINATION_STATUSES, "derived_destinations_status_valid"),
            # Exactly the column set of the seller's kind, the others null.
            models.CheckConstraint(
                name="derived_destinations_seller_shape",
                condition=(
                    Q(
                        seller_ref_kind="user",
                        seller_user__isnull=False,
                        seller_offer__isnull=True,
                        seller_external_ref__isnull=True,
                    )
                    | Q(
                        seller_ref_kind="offer",
                        seller_user__isnull=True,
                        seller_offer__isnull=False,
                        seller_external_ref__isnull=True,
                    )
                    | Q(
                        seller_ref_kind="external",
                        seller_user__isnull=True,
                        seller_offer__isnull=True,
                        seller_external_ref__isnull=False,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network}:{self.address}"
