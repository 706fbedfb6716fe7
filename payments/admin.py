from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin

from .models import DerivedDestination, Payment


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "amount", "currency", "network", "status", "tx_hash", "created_at"]
    list_filter = ["status", "currency", "network"]
    search_fields = ["id", "tx_hash"]


@admin.register(DerivedDestination)
class DerivedDestinationAdmin(ReadOnlyAdmin):
    list_display = ["id", "network", "address", "status", "seller_ref_kind"]
    list_filter = ["network", "status", "seller_ref_kind"]
    search_fields = ["id", "address", "seller_external_ref"]
