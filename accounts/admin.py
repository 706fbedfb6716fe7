from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin

from .models import Address, TelegramSession, TempVerification, User


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["id", "email", "role", "display_name", "is_verified", "level", "created_at"]
    list_filter = ["role", "is_verified"]
    search_fields = ["id", "email", "display_name", "telegram_id"]


@admin.register(TempVerification)
class TempVerificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "email", "purpose", "attempts", "expires_at"]
    list_filter = ["purpose"]


@admin.register(TelegramSession)
class TelegramSessionAdmin(ReadOnlyAdmin):
    list_display = ["id", "telegram_user_id", "user", "expires_at"]


@admin.register(Address)
class AddressAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "address_type", "city", "country", "is_default"]
    list_filter = ["address_type", "country", "is_default"]
    search_fields = ["id", "user__email", "city", "postal_code"]
