from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin

from .models import PointTransaction


@admin.register(PointTransaction)
class PointTransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "points", "reason", "reference_id", "created_at"]
    search_fields = ["id", "user__id", "reason"]
