"""Range fingerprints for verify: one digest of a range's Postgres rows, computed inside Postgres, against
the same digest of the records the range's documents transform to, computed here.

Each value is written in one canonical text that both sides can produce exactly: text as it is, integers
in decimal, booleans as t/f, money without trailing zeros (Postgres trim_scale), instants as microseconds
since the epoch; each value length-prefixed (NULL apart), rows in id order by code point. Equal digests mean
equal records field by field, as the record comparison would find (a JSON payload stored as its text, an
OrderedJSONField, by that text: key order included); a column kind without such a form (jsonb, child tables)
makes the collection unfit, and verify compares its records as before. A digest that differs,
or any value of an unexpected type, only sends the range to the record comparison, which says what differs."""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, models

from cutover.store.fields import OrderedJSONField, json_text
from cutover.store.legacy import plain_decimal
from cutover.store.recordmap import RecordMap

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class Unfit(ValueError):
    """A value without a canonical form here: the range is compared record by record."""


def _text(value: Any) -> str:
    if value.__class__ is not str:
        raise Unfit(value)
    return value


def _int(value: Any) -> str:
    if value.__class__ is not int:
        raise Unfit(value)
    return str(value)


def _bool(value: Any) -> str:
    if value.__class__ is not bool:
        raise Unfit(value)
    return "t" if value else "f"


def _decimal(value: Any) -> str:
    if value.__class__ is not Decimal or not value.is_finite():
        raise Unfit(value)
    return format(plain_decimal(value), "f")


def _instant(value: Any) -> str:
    if value.__class__ is not datetime or value.tzinfo is None:
        raise Unfit(value)
    return str((value - _EPOCH) // _MICROSECOND)


def _json(value: Any) -> str:
    if value.__class__ not in (dict, list):
        raise Unfit(value)
    return json_text(value)


def _form(field: models.Field) -> tuple[Callable[[Any], str], str] | None:
    """(Python value -> canonical text, SQL of the column's canonical text with {c} for the column)."""
    if field.is_relation:
        return _form(field.target_field) if field.many_to_one or field.one_to_one else None
    if isinstance(field, models.BooleanField):
        return _bool, "CASE WHEN {c} THEN 't' WHEN NOT {c} THEN 'f' END"
    if isinstance(field, models.IntegerField):
        return _int, "{c}::text"
    if isinstance(field, models.DecimalField):
        return _decimal, "trim_scale({c})::text"
    if isinstance(field, models.DateTimeField):
        # (an infinite timestamp has no epoch; NULL stays NULL)
        epoch = "(extract(epoch FROM {c}) * 1000000)::bigint::text"
        return _instant, "CASE WHEN NOT isfinite({c}) THEN 'inf' ELSE " + epoch + " END"
    if isinstance(field, OrderedJSONField):  # the JSON text it stores, key order included
        return _json, "{c}"
    if isinstance(field, models.CharField | models.TextField) and not isinstance(field, models.JSONField):
        return _text, "{c}::text"
    return None


class RangeFingerprint:
    def __init__(self, record_map: RecordMap, model: type[models.Model]):
        self.names = list(record_map.column_names)
        fields = [model._meta.get_field(name) for name in self.names]
        forms = [_form(field) for field in fields]
        self.fit = not record_map.children and all(forms)
        if not self.fit:
            return
        self.converters = [form[0] for form in forms]
        self.row_text = _row_text_function(self.names, self.converters)
        pieces = []
        for field, (_, sql) in zip(fields, forms, strict=True):
            value = sql.format(c=f't."{field.column}"')
            pieces.append(f"COALESCE(length({value})::text || ':' || {value}, '-')")
        pk = f't."{model._meta.pk.column}"'
        self.sql = (
            f"SELECT count(*), md5(string_agg({' || '.join(pieces)}, '|' ORDER BY {pk} COLLATE \"C\")) "
            f'FROM "{model._meta.db_table}" t WHERE ({pk} > %(low)s OR %(low)s IS NULL) '
            f"AND ({pk} <= %(high)s OR %(high)s IS NULL)"
        )

    def of_records(self, records: dict[str, Any]) -> tuple[int, str | None] | None:
        """(count, digest) of `records` (id -> record); None if a value has no canonical form here."""
        if not records:
            return 0, None
        row_text = self.row_text
        try:
            rows = [row_text(records[record_id]) for record_id in sorted(records)]
        except Unfit:
            return None
        return len(rows), hashlib.md5("|".join(rows).encode(), usedforsecurity=False).hexdigest()

    def of_rows(self, low: str | None, high: str | None) -> tuple[int, str | None]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, {"low": low, "high": high})
            count, digest = cursor.fetchone()
        return count, digest


def _row_text_function(names: list[str], converters: list[Callable[[Any], str]]) -> Callable[[Any], str]:
    """record -> its row's canonical text, as straight-line code (verify's hot loop: a loop over the fields,
    a call per value, cost more than the values' texts). Text values are taken inline; a NULL is "-"."""
    env: dict[str, Any] = {"Unfit": Unfit}
    lines = ["def row_text(record):"]
    for index, (name, convert) in enumerate(zip(names, converters, strict=True)):
        assert name.isidentifier(), name
        env[f"convert{index}"] = convert
        lines += [f"    v = record.{name}", "    if v is None:", f'        t{index} = "-"']
        if convert is _text:
            lines += ["    elif v.__class__ is str:", f'        t{index} = f"{{len(v)}}:{{v}}"']
            lines += ["    else:", "        raise Unfit(v)"]
        else:
            lines += ["    else:", f"        v = convert{index}(v)", f'        t{index} = f"{{len(v)}}:{{v}}"']
    lines.append(f'    return "".join(({", ".join(f"t{i}" for i in range(len(names)))},))')
    exec("\n".join(lines), env)  # noqa: S102 - code generated above from the map's own column names
    return env["row_text"]
