from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin

from .models import TrezorAccount, TrezorDerivedAddress


class DerivedAddressInline(admin.TabularInline):
    model = TrezorDerivedAddress
    extra = 0
    can_delete = False
    readonly_fields = ["position", "index", "address", "path", "used_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TrezorAccount)
class TrezorAccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "label", "network", "account_index", "user", "created_at"]
    search_fields = ["id", "label", "xpub"]
    inlines = [DerivedAddressInline]
