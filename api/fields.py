"""Input fields shared by the API's serializers."""

import re

from rest_framework import serializers

_HEX24 = re.compile(r"^[0-9a-fA-F]{24}$")


class ObjectIdField(serializers.CharField):
    """A record id: an ObjectId as 24 hex characters (returned lowercase)."""

    default_error_messages = {"object_id": "Expected an id of 24 hex characters, got {value!r}."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data).strip()
        if not _HEX24.match(value):
            self.fail("object_id", value=value[:40])
        return value.lower()


def choice(values: frozenset[str], **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=sorted(values), **kwargs)


def limit_field(default: int = 50, maximum: int = 200) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=maximum, default=default)


def is_object_id(value: str) -> bool:
    return bool(_HEX24.match(value))
