"""Model fields shared by every domain."""

import json

from django.core.validators import RegexValidator
from django.db import models

object_id_validator = RegexValidator(r"^[0-9a-f]{24}$", "An id is a Mongo ObjectId: 24 lowercase hex characters.")


class ObjectIdField(models.CharField):
    """A Mongo ObjectId as 24 lowercase hex characters: primary keys and legacy references."""

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 24
        super().__init__(*args, **kwargs)
        self.validators.append(object_id_validator)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs


def choices_of(values: frozenset[str], *, spaced_labels: bool = False) -> list[tuple[str, str]]:
    """A model field's choices from a domain's set of legacy values, sorted; labels are the values
    (with spaces for underscores if asked: "not_received" reads "not received" in admin)."""
    return [(value, value.replace("_", " ") if spaced_labels else value) for value in sorted(values)]


def choices_check(field: str, values: frozenset[str], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": sorted(values)}), name=name)


# Money columns: 13 integer digits (amounts are capped at 1e12) and 18 decimals (ETH's wei), so every
# supported currency is stored exactly; the money parser refuses anything finer rather than round it.
MONEY = {"max_digits": 31, "decimal_places": 18}


_ABSENT_HELP = "Mapped keys the legacy document left blank (missing, null or empty), as JSON (cutover.store.absent)."


class LegacyShapeColumns(models.Model):
    """What a row keeps of its legacy document besides the mapped columns (cutover.store.records.LegacyShape)."""

    legacy_id = models.TextField(
        null=True, blank=True, editable=False, help_text="The document's _id when it is a string, not an ObjectId."
    )
    legacy_fields = models.TextField(
        null=True, blank=True, editable=False, help_text="Keys no mapping owns, as canonical Extended JSON."
    )
    legacy_absent = models.TextField(null=True, blank=True, editable=False, help_text=_ABSENT_HELP)

    class Meta:
        abstract = True


class LegacyFieldsColumn(models.Model):
    """The same for an embedded document's row (a child table): its unknown keys."""

    legacy_fields = models.TextField(
        null=True, blank=True, editable=False, help_text="Keys no mapping owns, as canonical Extended JSON."
    )
    legacy_absent = models.TextField(null=True, blank=True, editable=False, help_text=_ABSENT_HELP)

    class Meta:
        abstract = True


class OrderedJSONField(models.TextField):
    """A free-form legacy JSON value (a dict or list in the record) stored as its JSON text, not jsonb:
    jsonb reorders object keys, and the value must go back to Mongo with its keys in their legacy order."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        return None if value is None else json_text(value)


def json_text(value) -> str:
    """The text an OrderedJSONField stores (also the COPY rows' and verify's fingerprint's)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
