"""What every API view shares: validated input, records out, a JSON 404 for an unknown or malformed id."""

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from .fields import is_object_id
from .records import record_json


def valid(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    """The validated data, or a 400 with an error per field (raised as DRF's ValidationError)."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def query(request: Request, serializer_class: type[serializers.Serializer]) -> dict:
    return valid(serializer_class, request.query_params.dict())


def body(request: Request, serializer_class: type[serializers.Serializer]) -> dict:
    if not isinstance(request.data, dict):
        raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
    return valid(serializer_class, request.data)


def found(record: Any, kind: str, record_id: str) -> Response:
    if record is None:
        raise NotFound(f"no {kind} with id {record_id!r}")
    return Response(record_json(record))


def known_id(record_id: str, kind: str) -> str:
    """An id from the URL: 24 hex (lowercased), else no such record."""
    if not is_object_id(record_id):
        raise NotFound(f"no {kind} with id {record_id[:40]!r}")
    return record_id.lower()
