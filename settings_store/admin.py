from django.contrib import admin

from cutover.admin_base import ReadOnlyAdmin

from .models import Config, LevelConfig, ShopSettings

# Read-only like every domain's rows: a change must go through the services, so that it reaches the
# store(s) the domain's mode writes (an ORM save here would never reach Mongo).


@admin.register(LevelConfig)
class LevelConfigAdmin(ReadOnlyAdmin):
    list_display = ["level", "name", "min_points", "perks_json", "updated_at"]
    ordering = ["level"]


@admin.register(ShopSettings)
class ShopSettingsAdmin(ReadOnlyAdmin):
    list_display = ["id", "shop_name", "seller", "is_open", "updated_at"]
    list_filter = ["is_open"]
    search_fields = ["id", "shop_name", "seller__id"]


@admin.register(Config)
class ConfigAdmin(ReadOnlyAdmin):
    list_display = ["key", "value_json", "description", "updated_at"]
    search_fields = ["key", "description"]
    ordering = ["key"]
