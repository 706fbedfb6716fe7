"""Postgres schema of the funds ledger. Rows are immutable: migration 0002 installs the
trigger that rejects UPDATE, DELETE and TRUNCATE (see there for TRUNCATE)."""

from django.db import models
from django.db.models import Q

from cutover.store.fields import MONEY, LegacyShapeColumns, ObjectIdField, choices_check, choices_of

from .records import DIRECTIONS, ENTRY_TYPES


class LedgerEntry(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    payment = models.ForeignKey("payments.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    entry_type = models.CharField(max_length=10, choices=choices_of(ENTRY_TYPES))
    direction = models.CharField(max_length=6, choices=choices_of(DIRECTIONS))
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=10)
    balance_after = models.DecimalField(**MONEY)
    reference = models.CharField(max_length=200)
    reverses_entry = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        db_table = "funds_ledger_entries"
        verbose_name_plural = "funds ledger entries"
        indexes = [models.Index(fields=["user", "currency"], name="ledger_user_currency_idx")]
        constraints = [
            models.UniqueConstraint(fields=["user", "reference"], name="ledger_reference_unique_per_user"),
            choices_check("entry_type", ENTRY_TYPES, "ledger_entry_type_valid"),
            choices_check("direction", DIRECTIONS, "ledger_direction_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            # An entry is reversed at most once: a second reversal would take the money twice.
            models.UniqueConstraint(
                fields=["reverses_entry"], condition=Q(reverses_entry__isnull=False), name="ledger_reversed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.amount} {self.currency} ({self.reference})"
