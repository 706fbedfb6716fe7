from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin

from .models import Category, PurchaseRequest, RequestTemplate, SellerOffer


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "slug", "parent", "is_active", "sort_order"]
    search_fields = ["name", "slug"]


@admin.register(SellerOffer)
class SellerOfferAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "seller", "price", "currency", "status"]
    list_filter = ["status", "currency"]
    search_fields = ["id", "title"]


@admin.register(PurchaseRequest)
class PurchaseRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "buyer", "seller", "amount", "currency", "status", "created_at"]
    list_filter = ["status", "currency"]
    search_fields = ["id", "title"]


@admin.register(RequestTemplate)
class RequestTemplateAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "owner", "category"]
