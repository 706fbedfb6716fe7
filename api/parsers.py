"""JSON bodies: DRF's parser, with a body over API_MAX_BODY_BYTES refused as a 413 (one over Django's
DATA_UPLOAD_MAX_MEMORY_SIZE is refused while DRF reads it: api.errors answers that 413 too), and a body nested
too deep for Python's decoder a 400 like any bad JSON."""

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.API_MAX_BODY_BYTES
        if request is not None and _declared_length(request) > limit:
            raise RequestTooLarge(f"A body of at most {limit} bytes is accepted.")
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
