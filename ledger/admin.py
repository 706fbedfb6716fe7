from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin

from .models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """Read-only: ledger rows are immutable (the database refuses edits anyway)."""

    list_display = [
        "id",
        "user",
        "entry_type",
        "direction",
        "amount",
        "currency",
        "balance_after",
        "reference",
        "created_at",
    ]
    list_filter = ["entry_type", "direction", "currency"]
    search_fields = ["id", "reference", "user__email"]
