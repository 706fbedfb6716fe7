"""How the API answers a failure: bad input is a 400 naming the field, a missing record a 404, a taken
unique value or a change the record's state machine refuses a 409, a body too large a 413, a store that does
not answer a 503.
Never a 500 for anything a caller sent."""

import logging
import re

from bson.errors import InvalidDocument
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, IntegrityError
from pymongo.errors import PyMongoError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from cutover.store.backends.errors import ImmutableRecordConflict, RecordNotFound, UniqueConflict
from cutover.store.elements import ElementArrayUnusable
from cutover.store.legacy import LegacyValueError
from cutover.store.validation import TransitionRefused
from escrow_project.mongo import MongoDisabled

logger = logging.getLogger("escrow_project.api")
_FK_DETAIL = re.compile(r"Key \((?P<column>\w+)\)=\((?P<value>[^)]*)\) is not present in table \"(?P<table>\w+)\"")


def api_exception_handler(error: Exception, context: dict) -> Response | None:
    response = exception_handler(error, context)  # DRF's own: validation, authentication, 404, 405...
    if response is not None:
        return response
    answer = _answer(error)
    if answer is None:
        return None  # a bug: DRF re-raises it, Django logs it and answers 500
    code, body = answer
    if code >= 500:
        logger.warning("%s %s: %s", context["request"].method, context["request"].path, type(error).__name__)
    return Response(body, status=code)


def _answer(error: Exception) -> tuple[int, dict] | None:
    if isinstance(error, RequestDataTooBig):  # Django's own limit, met while DRF reads the body
        return status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, {"detail": f"A body of at most {_limit()} bytes is accepted."}
    if isinstance(error, RecordNotFound):
        return status.HTTP_404_NOT_FOUND, {"detail": str(error)}
    if isinstance(error, UniqueConflict | ImmutableRecordConflict | ElementArrayUnusable | TransitionRefused):
        return status.HTTP_409_CONFLICT, {"detail": str(error)}
    if isinstance(error, LegacyValueError):
        return status.HTTP_400_BAD_REQUEST, {error.field: [str(error)]}
    if isinstance(error, IntegrityError):
        return _integrity(error)
    if isinstance(error, ValueError | OverflowError | InvalidDocument):  # Invalid*Input, a value a store refuses
        return status.HTTP_400_BAD_REQUEST, {"detail": str(error)}
    if isinstance(error, MongoDisabled | PyMongoError):
        return status.HTTP_503_SERVICE_UNAVAILABLE, {"detail": "the legacy Mongo store is not available; try again"}
    if isinstance(error, DatabaseError):
        return status.HTTP_503_SERVICE_UNAVAILABLE, {"detail": "the database is not available; try again"}
    return None


def _limit() -> int:
    return min(settings.API_MAX_BODY_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or settings.API_MAX_BODY_BYTES)


def _integrity(error: IntegrityError) -> tuple[int, dict]:
    """A reference to a record that does not exist names its field; other constraints say which failed."""
    cause = error.__cause__
    sqlstate, diag = getattr(cause, "sqlstate", None), getattr(cause, "diag", None)
    if sqlstate == "23503" and diag is not None:
        found = _FK_DETAIL.search(diag.message_detail or "")
        if found:
            field = found["column"]
            return status.HTTP_400_BAD_REQUEST, {field: [f"No record {found['value']!r} exists for {field}."]}
    if sqlstate == "23505":
        return status.HTTP_409_CONFLICT, {"detail": f"a value that must be unique is taken ({diag.constraint_name})"}
    constraint = getattr(diag, "constraint_name", None) or "a database rule"
    return status.HTTP_400_BAD_REQUEST, {"detail": f"refused by {constraint}"}
