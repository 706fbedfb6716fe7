from django.db import models

from cutover.store.fields import LegacyFieldsColumn, LegacyShapeColumns, ObjectIdField


class TrezorAccount(LegacyShapeColumns):
    id = ObjectIdField(primary_key=True)
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=200, blank=True)
    xpub = models.CharField(max_length=200, unique=True)
    network = models.CharField(max_length=20)
    account_index = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "trezor_accounts"

    def __str__(self) -> str:
        return self.label or self.xpub[:16]


class TrezorDerivedAddress(LegacyFieldsColumn):
    account = models.ForeignKey(TrezorAccount, on_delete=models.CASCADE, related_name="derived_addresses")
    position = models.PositiveIntegerField()  # place in the legacy embedded array
    index = models.PositiveIntegerField()  # the derivation index
    address = models.CharField(max_length=120)
    path = models.CharField(max_length=100)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "trezor_derived_addresses"
        ordering = ["account", "position"]
        constraints = [
            models.UniqueConstraint(fields=["account", "index"], name="trezor_derived_address_index_unique"),
            models.UniqueConstraint(fields=["account", "position"], name="trezor_derived_address_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}#{self.index} {self.address}"
