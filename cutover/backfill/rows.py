"""Records as the rows Postgres takes: COPY rows, and a batch's ids as one query parameter.

Shared by the loader (cutover.backfill.load), its admission checks and the worker processes that format
COPY lines (cutover.backfill.workers), so a row is built one way wherever it is built."""

import json
from typing import Any

from django.db import models
from psycopg.types.json import Jsonb

from cutover.store.fields import OrderedJSONField, json_text

# A batch's ids as one JSON array: psycopg's client-side binding quotes a Python list element by element
# (a regular expression per id, a tenth of a batch's time); json.dumps is one C call.
ANY_TEXT = "ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))"


def texts(values: list[str]) -> str:
    return json.dumps(values)


def row_of(fields: list[models.Field], record: Any) -> list[Any]:
    return row_builder(fields)(record)


def row_builder(fields: list[models.Field]):
    """A function record -> COPY row; JSON columns wrapped, everything else as it is (the hot path)."""
    names = [f.attname for f in fields]
    json_at = [index for index, f in enumerate(fields) if isinstance(f, models.JSONField)]
    text_json_at = [index for index, f in enumerate(fields) if isinstance(f, OrderedJSONField)]
    # Records hold arrays as tuples (hashable), which COPY would write as a composite: lists it needs.
    array_at = [index for index, f in enumerate(fields) if f.get_internal_type() == "ArrayField"]
    if not json_at and not array_at and not text_json_at:
        return lambda record: [getattr(record, name) for name in names]

    def build(record: Any) -> list[Any]:
        row = [getattr(record, name) for name in names]
        for index in json_at:
            row[index] = Jsonb(row[index]) if row[index] is not None else None
        for index in array_at:
            row[index] = list(row[index]) if row[index] is not None else None
        for index in text_json_at:
            row[index] = json_text(row[index]) if row[index] is not None else None
        return row

    return build


def adapt(model_field: models.Field, value: Any) -> Any:
    if isinstance(model_field, OrderedJSONField) and value is not None:
        return json_text(value)
    return Jsonb(value) if isinstance(model_field, models.JSONField) and value is not None else value
