"""What each endpoint accepts. A bad value is a 400 naming the field, never a 500."""

import json
from collections.abc import Iterator
from typing import Any

from rest_framework import serializers

from disputes.records import OUTCOMES, PRIORITIES, REASONS, STATUSES
from payments.records import CURRENCIES, PAYMENT_STATUSES

from .fields import ObjectIdField, choice, limit_field

TEXT = 5000  # a description, resolution or body


class DisputeOpen(serializers.Serializer):
    purchase_request_id = ObjectIdField()
    opened_by_id = ObjectIdField()
    against_user_id = ObjectIdField()
    reason = choice(REASONS)
    description = serializers.CharField(allow_blank=True, default="", max_length=TEXT, trim_whitespace=False)
    priority = choice(PRIORITIES, default="medium")
    payment_id = ObjectIdField(required=False, allow_null=True, default=None)


class DisputeListQuery(serializers.Serializer):
    status = choice(STATUSES, required=False)
    priority = choice(PRIORITIES, required=False)
    admin_id = ObjectIdField(required=False)
    limit = limit_field()

    def validate(self, data: dict) -> dict:
        if "status" not in data and "admin_id" not in data:
            raise serializers.ValidationError({"status": ["Give a status (and maybe a priority) or an admin_id."]})
        if "admin_id" in data and "priority" in data:
            raise serializers.ValidationError({"priority": ["Not with admin_id: that list filters by status only."]})
        return data


class DisputeStatusChange(serializers.Serializer):
    to_status = choice(STATUSES)
    actor_id = ObjectIdField()
    note = serializers.CharField(allow_blank=True, default="", max_length=2000)


class DisputeAssign(serializers.Serializer):
    admin_id = ObjectIdField()


class DisputeResolve(serializers.Serializer):
    outcome = choice(OUTCOMES)
    resolution = serializers.CharField(max_length=TEXT)
    actor_id = ObjectIdField()


class NotificationSend(serializers.Serializer):
    user_id = ObjectIdField()
    type = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=300)
    body = serializers.CharField(allow_blank=True, default="", max_length=TEXT)
    data = serializers.DictField(required=False, default=dict)

    def validate_data(self, data: dict) -> dict:
        """Free-form, but storable in both stores: whole numbers fit BSON's 64 bits, and it stays small."""
        if len(json.dumps(data)) > 16_384:
            raise serializers.ValidationError("At most 16 KiB of JSON.")
        if any(isinstance(value, int) and not -(2**63) <= value < 2**63 for value in _scalars(data)):
            raise serializers.ValidationError("Whole numbers must fit in 64 bits (as the legacy store keeps them).")
        return data


class NotificationListQuery(serializers.Serializer):
    user_id = ObjectIdField()
    unread_only = serializers.BooleanField(default=False)
    limit = limit_field()


class PaymentUpdate(serializers.Serializer):
    status = choice(PAYMENT_STATUSES, required=False)
    confirmations = serializers.IntegerField(min_value=0, max_value=1_000_000_000, required=False)
    tx_hash = serializers.CharField(max_length=200, required=False)

    def validate(self, data: dict) -> dict:
        if not data:
            raise serializers.ValidationError({"status": ["Give at least one of status, confirmations, tx_hash."]})
        return data


class BalanceQuery(serializers.Serializer):
    user_id = ObjectIdField()
    currency = choice(CURRENCIES)


class EntriesQuery(serializers.Serializer):
    limit = limit_field(default=500, maximum=1000)


def _scalars(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    else:
        yield value
