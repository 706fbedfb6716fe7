"""What each endpoint accepts. A bad value is a 400 naming the field, never a 500; so is a field the endpoint
does not take (StrictInput): nothing a caller sends is dropped silently."""

import dataclasses
import json
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from rest_framework import serializers

from disputes.records import OUTCOMES, PRIORITIES, REASONS, STATUSES, DisputeRecord
from notifications.records import NotificationRecord
from payments.records import CURRENCIES, PAYMENT_STATUSES, PaymentRecord

from .fields import ObjectIdField, choice, limit_field

TEXT = 5000  # a description, resolution or body
# Who acts is the authenticated user: a body that names an actor is refused, never believed.
ACTOR_FIELDS = frozenset({"actor_id", "actor", "user", "changed_by", "changed_by_id"})


class StrictInput(serializers.Serializer):
    """Refuses, naming each, the fields it does not declare: an actor, a field of `record_type` that this
    endpoint does not set (read-only here), or a name it does not know at all."""

    record_type: ClassVar[type | None] = None

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = {name: [self._why_not(name)] for name in sorted(set(data) - set(self.fields))}
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def _why_not(self, name: str) -> str:
        if name in ACTOR_FIELDS:
            return "Not accepted: the actor is the authenticated user."
        record_fields = {field.name for field in dataclasses.fields(self.record_type)} if self.record_type else ()
        if name in record_fields:
            return "Read-only: this endpoint does not set it."
        return f"Unknown field; this endpoint takes: {', '.join(self.fields) or 'nothing'}."


class DisputeOpen(StrictInput):
    record_type = DisputeRecord
    purchase_request_id = ObjectIdField()
    opened_by_id = ObjectIdField()
    against_user_id = ObjectIdField()
    reason = choice(REASONS)
    description = serializers.CharField(allow_blank=True, default="", max_length=TEXT, trim_whitespace=False)
    priority = choice(PRIORITIES, default="medium")
    payment_id = ObjectIdField(required=False, allow_null=True, default=None)


class DisputeListQuery(StrictInput):
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


class DisputeStatusChange(StrictInput):
    record_type = DisputeRecord
    to_status = choice(STATUSES)
    note = serializers.CharField(allow_blank=True, default="", max_length=2000)


class DisputeAssign(StrictInput):
    record_type = DisputeRecord
    admin_id = ObjectIdField()


class DisputeResolve(StrictInput):
    record_type = DisputeRecord
    outcome = choice(OUTCOMES)
    resolution = serializers.CharField(max_length=TEXT)


class NotificationSend(StrictInput):
    record_type = NotificationRecord
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


class NotificationListQuery(StrictInput):
    user_id = ObjectIdField()
    unread_only = serializers.BooleanField(default=False)
    limit = limit_field()


class PaymentUpdate(StrictInput):
    record_type = PaymentRecord
    status = choice(PAYMENT_STATUSES, required=False)
    confirmations = serializers.IntegerField(min_value=0, max_value=1_000_000_000, required=False)
    tx_hash = serializers.CharField(max_length=200, required=False)

    def validate(self, data: dict) -> dict:
        if not data:
            raise serializers.ValidationError({"status": ["Give at least one of status, confirmations, tx_hash."]})
        return data


class BalanceQuery(StrictInput):
    user_id = ObjectIdField()
    currency = choice(CURRENCIES)


class EntriesQuery(StrictInput):
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


class Login(StrictInput):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class NoInput(StrictInput):
    """An endpoint whose body carries nothing (mark read, logout)."""
