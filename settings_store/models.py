from django.db import models

from cutover.store.fields import LegacyShapeColumns, ObjectIdField


class LevelConfig(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    level = models.IntegerField(unique=True)
    name = models.TextField()
    min_points = models.BigIntegerField()
    perks_json = models.TextField(default="[]", help_text="The perks, as the exact JSON text of the legacy array.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "level_configs"

    def __str__(self) -> str:
        return f"level {self.level}: {self.name}"


class ShopSettings(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    seller = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    shop_name = models.TextField()
    description = models.TextField(blank=True)
    logo_url = models.TextField(null=True, blank=True)
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "shop_settings"
        verbose_name_plural = "shop settings"
        constraints = [models.UniqueConstraint(fields=["seller"], name="shop_settings_one_per_seller")]

    def __str__(self) -> str:
        return self.shop_name


class Config(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    key = models.TextField(unique=True)
    # Text, not jsonb: jsonb reorders keys and turns 1e20 into an integer (cutover/store/extra_kinds.py).
    value_json = models.TextField(
        null=True, blank=True, help_text="The value as exact JSON text; empty when the document has no value key."
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "configs"

    def __str__(self) -> str:
        return self.key
