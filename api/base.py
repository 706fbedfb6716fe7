"""What every API view shares: its declarations (permissions per method, the serializer of each method's body
and query string), validated input that refuses what it does not know, records out, a JSON 404 for an unknown or
malformed id, and a record of who changed what."""

from typing import Any, ClassVar

from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .changes import record_change
from .fields import is_object_id
from .records import record_json


class ApiView(APIView):
    """An endpoint. Subclasses declare `required_permissions` (api.permissions), and per method the serializer
    of the body (`body_serializers`) and of the query string (`query_serializers`) and a success code other
    than 200 (`success_codes`); the schema, OPTIONS, the input checks and the permission matrix test read them."""

    required_permissions: ClassVar[dict]
    body_serializers: ClassVar[dict[str, type[serializers.Serializer]]] = {}
    query_serializers: ClassVar[dict[str, type[serializers.Serializer]]] = {}
    success_codes: ClassVar[dict[str, int]] = {}  # a method's documented success, when not 200

    def body(self, request: Request) -> dict:
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        return valid(self.body_serializers[request.method], request.data)

    def query(self, request: Request) -> dict:
        params = {name: value for name, value in request.query_params.items() if name != "format"}
        return valid(self.query_serializers[request.method], params)

    def changed(self, request: Request, *, action: str, record: Any, changes: dict) -> Any:
        """`record` after a write, recorded as made by the authenticated user; returns the record."""
        record_change(user=request.user, action=action, record_id=record.id, changes=changes)
        return record


def valid(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    """The validated data, or a 400 with an error per field (raised as DRF's ValidationError)."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def found(record: Any, kind: str, record_id: str) -> Response:
    return Response(record_json(existing(record, kind, record_id)))


def existing(record: Any, kind: str, record_id: str) -> Any:
    """`record`, or a 404 naming what was not found (a parent in a URL included)."""
    if record is None:
        raise NotFound(f"no {kind} with id {record_id!r}")
    return record


def known_id(record_id: str, kind: str) -> str:
    """An id from the URL: 24 hex (lowercased), else no such record."""
    if not is_object_id(record_id):
        raise NotFound(f"no {kind} with id {record_id[:40]!r}")
    return record_id.lower()
