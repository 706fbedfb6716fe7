"""Model fields shared by every domain."""

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


def choices_check(field: str, values: frozenset[str], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": sorted(values)}), name=name)
