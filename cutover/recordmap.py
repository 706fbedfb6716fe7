"""Declarative field maps: legacy Mongo document <-> frozen record <-> Postgres row.

A domain's `repositories/mapping.py` declares one RecordMap per record type:
which record field is stored under which legacy key, and of which kind. That
table is the only place a domain's field names are translated. Postgres model
attnames are the record field names, so rows need no second table.

Reading a legacy document normalizes the shapes SCHEMA.md lists (id strings,
date shapes, money types, enum case) and raises LegacyValueError, naming the
field, for anything it cannot.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bson import Decimal128

from . import legacy

_REQUIRED = object()


def _money_dump(value: Decimal | None) -> Decimal128 | None:
    return None if value is None else Decimal128(str(value))


@dataclass(frozen=True)
class Kind:
    """How one kind of value is read from legacy data and written back."""

    name: str
    parse: Callable[[Any, str], Any]
    dump: Callable[[Any], Any] = lambda value: value


def enum(allowed: frozenset[str]) -> Kind:
    """Values in any case, stored in the case `allowed` spells them (lowercase, `Home`, `USDT`)."""
    canonical = {value.lower(): value for value in allowed}
    lowered = frozenset(canonical)

    def parse(value: Any, name: str) -> str:
        if value in allowed:  # already canonical: the common case
            return value
        return canonical[legacy.legacy_enum(value, name, lowered)]

    return Kind("enum", parse)


def money(*, minimum: Decimal | None = None, maximum: Decimal = Decimal("1e12")) -> Kind:
    """Money that must lie in [minimum, maximum]: negative or absurd legacy amounts are refused."""

    def parse(value: Any, name: str) -> Decimal:
        amount = legacy.legacy_money(value, name)
        if (minimum is not None and amount < minimum) or abs(amount) > maximum:
            raise legacy.LegacyValueError(name, f"an amount between {minimum} and {maximum}", value)
        return amount

    return Kind("money", parse, _money_dump)


def _telegram_id_dump(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1) or (isinstance(value, str) and value.strip().lower() in ("true", "false", "0", "1")):
        return str(value).strip().lower() in ("1", "true")
    raise legacy.LegacyValueError(name, "a boolean", value)


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise legacy.LegacyValueError(name, "an integer", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise legacy.LegacyValueError(name, "an integer", value)


def _email(value: Any, name: str) -> str:
    text = legacy.legacy_text(value, name).strip().lower()
    if "@" not in text:
        raise legacy.LegacyValueError(name, "an email address", value)
    return text


OBJECT_ID = Kind("object_id", lambda v, n: legacy.object_id_hex(v, n), legacy.to_object_id)
DATETIME = Kind("datetime", lambda v, n: legacy.legacy_datetime(v, n))
MONEY = money()
TELEGRAM_ID = Kind("telegram_id", lambda v, n: legacy.legacy_text(v, n).strip(), _telegram_id_dump)
TEXT = Kind("text", lambda v, n: legacy.legacy_text(v, n))
INT = Kind("int", _int)
BOOL = Kind("bool", _bool)
EMAIL = Kind("email", _email)
JSON = Kind("json", lambda v, n: v)  # free-form legacy data, kept as is


@dataclass(frozen=True)
class Field:
    name: str  # record attribute = Postgres attname
    key: str  # legacy Mongo key
    kind: Kind
    optional: bool = False  # missing or null reads as None
    default: Any = _REQUIRED  # missing or null reads as this

    def read(self, doc: dict[str, Any]) -> Any:
        value = doc.get(self.key)
        if value is None or (value.__class__ is str and value == "" and self.kind is not TEXT):
            if self.optional:
                return None
            if self.default is not _REQUIRED:
                return copy.copy(self.default)  # never share a mutable default between records
        return self.kind.parse(value, self.key)


@dataclass(frozen=True)
class Composite:
    """Several record fields that the legacy shape keeps in one polymorphic form (e.g. a
    seller that is a user id, an offer id or an external reference). Postgres keeps them as
    plain columns named like the record fields."""

    names: tuple[str, ...]
    read: Callable[[dict[str, Any]], dict[str, Any]]  # legacy document -> {record field: value}
    write: Callable[[Any], dict[str, Any]]  # record -> legacy keys and values


@dataclass(frozen=True)
class Child:
    """An embedded array in Mongo, a child table in Postgres (rows keep their array position)."""

    name: str  # record attribute (a tuple of child records)
    key: str  # legacy array key
    map: "RecordMap"
    model: str  # "app_label.Model" of the child table
    parent_field: str  # the child model's ForeignKey to the parent


@dataclass(frozen=True)
class RecordMap:
    record_type: type
    fields: tuple[Field, ...]
    collection: str = ""  # empty for child maps
    children: tuple[Child, ...] = ()
    composites: tuple[Composite, ...] = ()
    version_field: str | None = "updated_at"  # orders a record's versions; None: last write wins
    insert_only: bool = False  # never updated once written (ledger)
    _by_name: dict = field(default=None, compare=False, repr=False)
    _plan: tuple = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})
        # Field.read, unrolled into tuples: the same rules without a method call per field.
        object.__setattr__(
            self,
            "_plan",
            tuple((f.name, f.key, f.kind.parse, f.optional, f.default, f.kind is TEXT) for f in self.fields),
        )

    def field(self, name: str) -> Field:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.record_type.__name__} has no mapped field {name!r}") from None

    def from_document(self, doc: dict[str, Any]) -> Any:
        values = {}
        for name, key, parse, optional, default, keeps_empty_text in self._plan:  # the backfill's hot loop
            value = doc.get(key)
            if value is None or (not keeps_empty_text and value.__class__ is str and value == ""):
                if optional:
                    values[name] = None
                    continue
                if default is not _REQUIRED:
                    values[name] = copy.copy(default)
                    continue
            values[name] = parse(value, key)
        for composite in self.composites:
            values |= composite.read(doc)
        for child in self.children:
            items = doc.get(child.key) or []
            if not isinstance(items, list):
                raise legacy.LegacyValueError(child.key, "an array", items)
            values[child.name] = tuple(_child_record(child, item, index) for index, item in enumerate(items))
        if self.version_field and values.get(self.version_field) is None:
            values[self.version_field] = values.get("created_at")
        return self.record_type(**values)

    def to_document(self, record: Any) -> dict[str, Any]:
        doc = {f.key: _dump(f, getattr(record, f.name)) for f in self.fields}
        for composite in self.composites:
            doc |= composite.write(record)
        for child in self.children:
            doc[child.key] = [child.map.to_document(item) for item in getattr(record, child.name)]
        return doc

    def from_row(self, row: Any) -> Any:
        """`row` with its children prefetched under each Child.name."""
        values = {name: getattr(row, name) for name in self.column_names}
        for child in self.children:
            values[child.name] = tuple(child.map.from_row(item) for item in getattr(row, child.name).all())
        return self.record_type(**values)

    def row_values(self, record: Any) -> dict[str, Any]:
        return {name: getattr(record, name) for name in self.column_names}

    @property
    def column_names(self) -> list[str]:
        """Record fields stored as columns of the Postgres row (children have their own tables)."""
        return [f.name for f in self.fields] + [name for c in self.composites for name in c.names]


def _dump(field_: Field, value: Any) -> Any:
    return None if value is None else field_.kind.dump(value)


def _child_record(child: Child, item: Any, index: int) -> Any:
    where = f"{child.key}[{index}]"
    if not isinstance(item, dict):
        raise legacy.LegacyValueError(where, "an embedded document", item)
    try:
        return child.map.from_document(item)
    except legacy.LegacyValueError as error:
        raise error.within(where) from None
