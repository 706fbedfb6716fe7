from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin

from .models import Review


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["id", "purchase_request", "reviewer", "reviewee", "rating", "created_at"]
    list_filter = ["rating"]
    search_fields = ["id", "purchase_request__id", "reviewer__id", "reviewee__id"]
