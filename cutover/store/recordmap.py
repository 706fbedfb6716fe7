"""Declarative field maps: legacy Mongo document <-> frozen record <-> Postgres row.

A domain's `repositories/mapping.py` declares one RecordMap per record type:
which record field is stored under which legacy key, and of which kind. That
table is the only place a domain's field names are translated. Postgres model
attnames are the record field names, so rows need no second table.

Reading a legacy document normalizes the shapes docs/legacy-collections.md lists (id strings,
date shapes, money types, enum case) and raises LegacyValueError, naming the
field, for anything it cannot. What the map does not own (unknown keys, a string
`_id`) rides along on the record (cutover.store.records.LegacyShape), so writing a
record back restores it: see `to_document` (a whole new document) and
`owned_update` (the update operators for a stored one, which touch only the keys
whose value changed and never a key the map does not own).
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from bson import ObjectId

from cutover.store import absent, legacy
from cutover.store.kinds import (  # noqa: F401  (the kinds domains declare their fields with, re-exported)
    BOOL,
    DATETIME,
    INT,
    JSON,
    MONEY,
    OBJECT_ID,
    TELEGRAM_ID,
    TEXT,
    Kind,
    decode_legacy_fields,
    encode_legacy_fields,
    enum,
    money,
    same,
)

_REQUIRED = object()
UNREADABLE = object()  # a stored value that does not parse: differs from every record value
NO_ABSENCE = object()  # a field that cannot be blank (required): differs from every record value


@dataclass(frozen=True)
class Field:
    name: str  # record attribute = Postgres attname
    key: str  # legacy Mongo key
    kind: Kind
    optional: bool = False  # missing or null reads as None
    default: Any = _REQUIRED  # missing or null reads as this


@dataclass(frozen=True)
class Composite:
    """Several record fields that the legacy shape keeps in one polymorphic form (e.g. a
    seller that is a user id, an offer id or an external reference). Postgres keeps them as
    plain columns named like the record fields."""

    names: tuple[str, ...]
    keys: tuple[str, ...]  # the legacy keys it reads and writes
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
    model: str = ""  # "app_label.Model" of the Postgres table (child maps: Child.model)
    children: tuple[Child, ...] = ()
    composites: tuple[Composite, ...] = ()
    version_field: str | None = "updated_at"  # orders a record's versions; None: last write wins
    insert_only: bool = False  # never updated once written (ledger)
    # Embedded arrays held as records of their own (cutover.store.elements): owned here, never read or written
    # as part of this record; a new document starts them empty.
    element_keys: tuple[str, ...] = ()
    embedded_in: Any = None  # an element map: the cutover.store.elements.EmbeddedIn array that holds its records
    _by_name: dict = field(default=None, compare=False, repr=False)
    _plan: tuple = field(default=(), compare=False, repr=False)
    _owned_keys: frozenset = field(default=frozenset(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})
        # The per-field rules, unrolled into tuples: no method call per field in the backfill's hot loop.
        object.__setattr__(
            self,
            "_plan",
            tuple((f.name, f.key, f.kind.parse, f.optional, f.default, f.kind is TEXT) for f in self.fields),
        )
        owned = {f.key for f in self.fields} | {k for c in self.composites for k in c.keys} | set(self.element_keys)
        object.__setattr__(self, "_owned_keys", frozenset(owned | {c.key for c in self.children}))

    def field(self, name: str) -> Field:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.record_type.__name__} has no mapped field {name!r}") from None

    @property
    def is_child(self) -> bool:
        return not self.collection

    def from_document(self, doc: dict[str, Any]) -> Any:
        return self.record_type(**self._values(doc, lenient=False))

    def stored_values(self, doc: dict[str, Any]) -> dict[str, Any]:
        """What `from_document` would read, field by field; a value that does not parse is UNREADABLE
        instead of an error (a mirror write compares a possibly dirty stored document with a record)."""
        return self._values(doc, lenient=True)

    def _values(self, doc: dict[str, Any], *, lenient: bool) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, key, parse, optional, default, keeps_empty_text in self._plan:  # the backfill's hot loop
            value = doc.get(key)
            if value is None or (not keeps_empty_text and value.__class__ is str and value == ""):
                if optional:
                    values[name] = None
                    continue
                if default is not _REQUIRED:
                    values[name] = copy.copy(default)  # never share a mutable default between records
                    continue
                if name == "created_at" and (created := _id_time(doc)) is not None:
                    # Mongoose-era documents without createdAt: the ObjectId holds the creation second.
                    values[name] = created
                    continue
            try:
                values[name] = parse(value, key)
            except legacy.LegacyValueError:
                if not lenient:
                    raise
                values[name] = UNREADABLE
        for composite in self.composites:
            values |= _read_composite(composite, doc, lenient)
        for child in self.children:
            values[child.name] = _read_children(child, doc.get(child.key), lenient)
        if self.version_field and values.get(self.version_field) is None:
            values[self.version_field] = values.get("created_at")
        values["legacy_fields"] = encode_legacy_fields({k: v for k, v in doc.items() if k not in self._owned_keys})
        values["legacy_absent"] = absent.marker(doc, self._form_candidates(doc, values))
        if not self.is_child:
            identity = doc.get("_id")
            values["legacy_id"] = _findable_string_id(identity) if identity.__class__ is str else None
        return values

    def _form_candidates(self, doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, Any]]:
        """(key, what writing the record puts there, or absent.MISSING) for each owned key `doc` may store in
        another form (cutover.store.absent): a blank one (missing, null, or "" where that reads as absent), or
        a value whose stored form need not be its kind's; the arrays held as element records are not the
        record's (cutover.store.elements)."""
        found = []
        for name, key, _, _, _, keeps_empty_text in self._plan:
            value = values[name]
            if key == "_id" or value is UNREADABLE:
                continue
            stored = doc.get(key)
            if absent.is_blank(stored, keeps_empty_text):
                found.append((key, absent.MISSING if value is None else self.field(name).kind.dump(value)))
            elif not (value is stored and self.field(name).kind.dump is same):  # else: the stored value itself
                found.append((key, self.field(name).kind.dump(value)))
        for composite in self.composites:
            if UNREADABLE not in (written := {name: values[name] for name in composite.names}).values():
                written = composite.write(SimpleNamespace(**written))
                found += [(key, written.get(key, absent.MISSING)) for key in composite.keys]
        return found + [(child.key, []) for child in self.children if absent.is_blank(doc.get(child.key), False)]

    def absence_value(self, f: "Field", record: Any) -> Any:
        """What `f` reads as when its key is blank in `record`'s document (NO_ABSENCE: it cannot be blank)."""
        if f.name == self.version_field:
            return getattr(record, "created_at", None)
        if f.optional:
            return None
        if f.default is not _REQUIRED:
            return f.default
        if f.name == "created_at" and not self.is_child:
            return _id_time({"_id": self.document_id(record)})
        return NO_ABSENCE

    def settled(self, record: Any) -> str | None:
        """`record`'s legacy_absent without the keys whose value is no longer what their stored form read as."""
        marks = absent.blanks(record.legacy_absent)
        if not marks:
            return None
        return absent.settled(record.legacy_absent, lambda key: self._form_holds(record, key, marks))

    def _form_holds(self, record: Any, key: str, marks: dict[str, Any]) -> bool:
        """The stored form marked for `key` still reads as `record`'s value there."""
        form = marks[key]
        for f in self.fields:
            if f.key == key:
                if not absent.is_value_form(form):
                    return getattr(record, f.name) == self.absence_value(f, record)
                try:
                    return _same_value(f.kind.parse(form, key), getattr(record, f.name))
                except legacy.LegacyValueError:
                    return False
        for child in self.children:
            if child.key == key:
                return not getattr(record, child.name)
        for composite in self.composites:
            if key in composite.keys:
                forms = {k: (None if v is absent.MISSING else v) for k, v in marks.items() if k in composite.keys}
                written = composite.write(record) | forms
                try:
                    return composite.read(written) == {name: getattr(record, name) for name in composite.names}
                except legacy.LegacyValueError:
                    return False
        return False

    def check(self, record: Any) -> None:
        """Refuse a record that a store could not keep exactly (an amount finer than the money columns, a NUL
        in text): app writes are checked here, where both stores' backends meet, as the backfill checks
        legacy documents. Raises LegacyValueError (a ValueError) naming the field."""
        for f in self.fields:
            value = getattr(record, f.name)
            if value is not None and f.kind.check is not None:
                f.kind.check(value, f.key)
        for child in self.children:
            for item in getattr(record, child.name):
                child.map.check(item)

    def to_document(self, record: Any, *, value_forms: bool = True) -> dict[str, Any]:
        """The whole legacy document of `record`: its `_id` in its legacy type, the mapped keys (absent
        values omitted, as Mongoose did; keys its legacy document left blank left so, and values stored in
        another form of their kind's table in that form: cutover.store.absent), and the keys the map does not
        own, as they were. `value_forms=False` (verify's render-back) restores the blanks only: each value
        in its kind's own form."""
        doc = {} if self.is_child else {"_id": self.document_id(record)}
        for f in self.fields:
            value = getattr(record, f.name)
            if value is not None and f.key != "_id":
                doc[f.key] = f.kind.dump(value)
        for composite in self.composites:
            doc |= composite.write(record)
        for child in self.children:
            items = getattr(record, child.name)
            doc[child.key] = [child.map.to_document(item, value_forms=value_forms) for item in items]
        for key in self.element_keys:
            doc[key] = []
        for key, value in decode_legacy_fields(record.legacy_fields).items():
            doc.setdefault(key, value)
        if record.legacy_absent:
            self._restore_forms(doc, record, value_forms)
        return doc

    def _restore_forms(self, doc: dict[str, Any], record: Any, value_forms: bool) -> None:
        """The keys the legacy document stored in another form, in that form again where their value is still
        what the form read as. Without `value_forms`, a value form comes back only for a composite's key that
        its write leaves out (a `sellerOfferId` beside a user `sellerId`): no conversion produced it, so there
        is nothing of the record to render there; a key the composite writes is judged as written."""
        marks = absent.blanks(record.legacy_absent)
        unwritten = () if value_forms else self._composite_keys_unwritten(record)
        for key, form in marks.items():
            if not value_forms and absent.is_value_form(form) and key not in unwritten:
                continue
            if not self._form_holds(record, key, marks):
                continue
            if form is absent.MISSING:
                doc.pop(key, None)
            else:
                doc[key] = form

    def _composite_keys_unwritten(self, record: Any) -> set[str]:
        """The composites' keys that writing `record` leaves out."""
        found: set[str] = set()
        for composite in self.composites:
            found |= set(composite.keys) - composite.write(record).keys()
        return found

    @staticmethod
    def document_id(record: Any) -> ObjectId | str:
        """The `_id` of `record`'s document: the legacy string when it was one, else the ObjectId."""
        return record.legacy_id if record.legacy_id is not None else ObjectId(record.id)

    def owned_update(self, stored: dict[str, Any], record: Any, *, now: dict[str, Any] | None = None) -> dict[str, Any]:
        """The update operators that make the stored document read as `record`.

        Only keys whose value differs are written; a key the map does not own is never touched, and a
        key whose value is already right keeps its stored form and BSON type. An absent value is
        unset (Mongoose omitted absent fields). An embedded array that only grew gets $push, as the
        legacy app did, so a concurrent legacy push is not clobbered. `now`: stored_values(stored), if the
        caller has read them already."""
        now = self.stored_values(stored) if now is None else now
        sets: dict[str, Any] = {}
        unsets: dict[str, str] = {}
        pushes: dict[str, Any] = {}
        marks = absent.blanks(record.legacy_absent)
        for f in self.fields:
            want = getattr(record, f.name)
            if f.key == "_id":
                continue
            form = marks.get(f.key, absent.UNMARKED)
            if form is not absent.UNMARKED and not self._form_holds(record, f.key, marks):
                form = absent.UNMARKED  # a mark left from before the value changed
            if now[f.name] == want:
                absent.presence_update(f.key, f.kind.dump, stored, form, want, sets, unsets)
                continue
            if want is None:
                if f.key in stored:
                    unsets[f.key] = ""
            else:
                sets[f.key] = form if absent.is_value_form(form) else f.kind.dump(want)
        for composite in self.composites:
            if any(now[name] != getattr(record, name) for name in composite.names):
                sets |= composite.write(record)
        for child in self.children:
            old, new = now[child.name], getattr(record, child.name)
            if old == new:
                continue
            stored_items = stored.get(child.key)
            readable = old is not UNREADABLE and isinstance(stored_items, list)
            if readable and len(new) == len(old) and all(isinstance(item, dict) for item in stored_items):
                _element_changes(child, stored_items, old, new, sets, unsets)
            elif readable and new[: len(old)] == old:
                pushes[child.key] = {"$each": [child.map.to_document(item) for item in new[len(old) :]]}
            else:
                sets[child.key] = [child.map.to_document(item) for item in new]
        update: dict[str, Any] = {}
        for operator, keys in (("$set", sets), ("$unset", unsets), ("$push", pushes)):
            if keys:
                update[operator] = keys
        return update

    def from_row(self, row: Any) -> Any:
        """`row` with its children prefetched under each Child.name."""
        values = {name: getattr(row, name) for name in self.column_names}
        for child in self.children:
            values[child.name] = tuple(child.map.from_row(item) for item in getattr(row, child.name).all())
        return self.record_type(**values)

    def row_values(self, record: Any) -> dict[str, Any]:
        """The row of `record`; its legacy_absent settled (cutover.store.absent), as a document read gives it."""
        values = {name: getattr(record, name) for name in self.column_names}
        values["legacy_absent"] = self.settled(record)
        return values

    @property
    def column_names(self) -> list[str]:
        """Record fields stored as columns of the Postgres row (children have their own tables)."""
        mapped = [f.name for f in self.fields] + [name for c in self.composites for name in c.names]
        return mapped + list(LEGACY_COLUMNS_OF_CHILD if self.is_child else LEGACY_COLUMNS)


LEGACY_COLUMNS = ("legacy_id", "legacy_fields", "legacy_absent")
LEGACY_COLUMNS_OF_CHILD = ("legacy_fields", "legacy_absent")


def _element_changes(child: Child, stored_items: list, old: tuple, new: tuple, sets: dict, unsets: dict) -> None:
    """Changed elements of an array that kept its length, key by key (`derivedAddresses.3.usedAt`): the
    other elements, and the other keys of a changed one, keep their stored form; the command stays small."""
    for index, (before, after) in enumerate(zip(old, new, strict=True)):
        if before == after:
            continue
        change = child.map.owned_update(stored_items[index], after)
        for key, value in change.get("$set", {}).items():
            sets[f"{child.key}.{index}.{key}"] = value
        for key in change.get("$unset", {}):
            unsets[f"{child.key}.{index}.{key}"] = ""


def _same_value(read: Any, value: Any) -> bool:
    """Equal and of one type: True is not 1 for a form to hold (Python's == says it is)."""
    return read.__class__ is value.__class__ and read == value


def _findable_string_id(identity: str) -> str:
    """A string `_id` the app can find again by the record id: 24 hex in one case, nothing around them.
    Any other spelling ("  64ab…", "64aB…") would be a document no lookup by id reaches, so it is refused
    (a bad_id reject: rename the document) rather than migrated into a record that loses its document."""
    if identity.strip() != identity or identity not in (identity.lower(), identity.upper()):
        raise legacy.LegacyValueError("_id", "24 hex characters in one case, without spaces", identity)
    return identity


def _id_time(doc: dict[str, Any]) -> Any:
    identity = doc.get("_id")
    if isinstance(identity, str) and legacy.HEX24.match(identity.strip()):
        identity = ObjectId(identity.strip())
    return identity.generation_time if isinstance(identity, ObjectId) else None


def _read_composite(composite: Composite, doc: dict[str, Any], lenient: bool) -> dict[str, Any]:
    try:
        return composite.read(doc)
    except legacy.LegacyValueError:
        if not lenient:
            raise
        return dict.fromkeys(composite.names, UNREADABLE)


def _read_children(child: Child, items: Any, lenient: bool) -> Any:
    try:
        if items is None or items == [] or (items.__class__ is str and items == ""):
            return ()  # missing, null, an empty string or []: no children (documented); anything else is no guess
        if not isinstance(items, list):
            raise legacy.LegacyValueError(child.key, "an array", items)
        return tuple(_child_record(child, item, index) for index, item in enumerate(items))
    except legacy.LegacyValueError:
        if not lenient:
            raise
        return UNREADABLE


def _child_record(child: Child, item: Any, index: int) -> Any:
    where = f"{child.key}[{index}]"
    if not isinstance(item, dict):
        raise legacy.LegacyValueError(where, "an embedded document", item)
    try:
        return child.map.from_document(item)
    except legacy.LegacyValueError as error:
        raise error.within(where) from None
