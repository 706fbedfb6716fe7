"""Postgres schema of the auth and address domains: the only definition of these tables."""

from django.db import models

from cutover.store.fields import LegacyShapeColumns, ObjectIdField, choices_check, choices_of
from cutover.store.folded_keys import fold_expression

from .records import ADDRESS_TYPES, PURPOSES, ROLES


class User(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    # The legacy value exactly; unique by its folded key (users_email_key_unique), as the legacy app compares it.
    email = models.CharField(max_length=254)
    password_hash = models.CharField(max_length=200)
    role = models.CharField(max_length=12, choices=choices_of(ROLES))
    display_name = models.CharField(max_length=200, blank=True)
    telegram_id = models.CharField(max_length=40, null=True, blank=True, unique=True)
    is_verified = models.BooleanField(default=False)
    level = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "users"
        verbose_name = "marketplace user"  # not Django's own "users" (admin logins), listed beside it
        constraints = [
            choices_check("role", ROLES, "users_role_valid"),
            models.UniqueConstraint(fold_expression("email"), name="users_email_key_unique"),
        ]

    def __str__(self) -> str:
        return self.email


class TempVerification(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    email = models.CharField(max_length=254, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=200)
    purpose = models.CharField(max_length=20, choices=choices_of(PURPOSES))
    attempts = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)  # the purge deletes by it
    created_at = models.DateTimeField()

    class Meta:
        db_table = "temp_verifications"
        constraints = [choices_check("purpose", PURPOSES, "temp_verifications_purpose_valid")]

    def __str__(self) -> str:
        return f"{self.purpose} for {self.email}"


class TelegramSession(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    telegram_user_id = models.BigIntegerField(db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    init_data_hash = models.CharField(max_length=200)
    auth_date = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)  # the purge deletes by it
    created_at = models.DateTimeField()

    class Meta:
        db_table = "telegram_sessions"

    def __str__(self) -> str:
        return f"telegram {self.telegram_user_id}"


class Address(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="addresses")
    address_type = models.CharField(max_length=10, choices=choices_of(ADDRESS_TYPES))
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "addresses"
        verbose_name_plural = "addresses"
        constraints = [
            choices_check("address_type", ADDRESS_TYPES, "addresses_type_valid"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_default=True), name="addresses_one_default_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.address_type}: {self.line1}, {self.city}"
