from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin

from .models import ApiChange


@admin.register(ApiChange)
class ApiChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "action", "record_id"]
    list_filter = ["action"]
    search_fields = ["record_id", "username"]
    readonly_fields = ["at", "user", "username", "action", "record_id", "changes"]
