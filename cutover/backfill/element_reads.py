"""How backfill and verify read one parent's embedded array of element records (chat messages): slice by
slice, never asking the server to slice what is not an array, and with every malformed shape a reject.

A legacy array can hold anything, and nothing in it may stop a run, pass for a store outage, or load over
another element's row. Per parent, `ParentArray.slices` yields the element documents to map, and a reject
naming the parent and the position (`<parentId>.messages[i]`) for each of:

- the array field itself null or not an array (a string, a number, an object): the legacy app cannot append
  to it either (MongoDB refuses `$push` onto a non-array), so it is reported, never read as empty. A *missing*
  field is no messages: the legacy schema reads a missing array as [] and `$push` creates it;
- an element that is not an embedded document, or has no `_id` (or `_id: null`): nothing could address it;
- an element whose `_id` an earlier element of the same parent has (as an ObjectId or its hex string): the
  first stays, the repeat is a `unique_clash` naming both places;
- a read the server refuses for this document (an OperationFailure that is not about the store's state):
  reported against the parent's array, the run goes on (cutover.backfill.source.store_unavailable).

An `_id` that an element of *another* parent holds is found against the element rows (`claimed_elsewhere`):
the parent read first keeps it, the later one is a `unique_clash` reject naming both, unless the first parent
no longer has that element in Mongo (the element moved: its row follows it).

Only `$type: "array"` fields are ever sliced: a MongoDB server returns a non-array unsliced, while the
embedded stand-in (mongomock) raises OperationFailure on it; neither is reached.
"""

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.errors import OperationFailure

from cutover.backfill.source import store_unavailable
from cutover.backfill.transform import Reject, Transformed, document_as_json
from cutover.store import legacy
from cutover.store.elements import PARENT_KEY
from cutover.store.mongo_writes import id_candidates
from cutover.store.recordmap import RecordMap

POSITION_KEY = "$position"  # in a reject's document: the element's place (a `$` key is never a legacy key)


@dataclass
class ArraySlice:
    skip: int
    read: int = 0  # array elements (or the array field) this slice accounts for
    docs: list[dict] = field(default_factory=list)  # element documents to map, each with PARENT_KEY
    rejects: list[Reject] = field(default_factory=list)  # shapes refused here, each naming parent and position
    positions: dict[int, int] = field(default_factory=dict)  # id(doc) -> its position in the array
    repeats: dict[str, list[str]] = field(default_factory=dict)  # repeated element id -> the places holding it


def place(parent_key: Any, key: str, position: int | None = None) -> str:
    return f"{parent_key}.{key}" + ("" if position is None else f"[{position}]")


class ParentArray:
    """One parent's array, read `size` elements at a time. `complete`: every slice was read (so a reject of
    this parent not raised again is stale: its element was fixed or went)."""

    def __init__(self, database, element_map: RecordMap, parent_key: Any, size: int):
        self.database, self.map, self.parent_key, self.size = database, element_map, parent_key, size
        self.embedded = element_map.embedded_in
        self.first_position: dict[Any, int] = {}  # element identity -> the position it was first seen at
        self.complete = False

    def slices(self) -> Iterator[ArraySlice]:
        skip = 0
        while True:
            try:
                items = read_slice(self.database, self.map, self.parent_key, skip, self.size)
                shape, settled = self._field_reject() if items is None and skip == 0 else (None, False)
            except OperationFailure as error:  # about this document, unless about the store (then it stops the run)
                if store_unavailable(error):
                    raise
                yield ArraySlice(skip, read=1, rejects=[self._refused(skip, error)])
                return
            if items is None and skip == 0:
                self.complete = settled
                if shape is not None:
                    yield ArraySlice(0, read=1, rejects=[shape])
                return
            if not items:  # the end (None past the start: it stopped being an array meanwhile; the next run sees)
                self.complete = items is not None
                return
            yield self._slice(skip, items)
            skip += len(items)

    def slice_at(self, skip: int, size: int) -> ArraySlice:
        """Positions [skip, skip + size) read again, as a slice of their own (no repeat of earlier slices is
        known to it: a caller keeps only the records it had); empty when it is no array now."""
        try:
            items = read_slice(self.database, self.map, self.parent_key, skip, size)
        except OperationFailure as error:
            if store_unavailable(error):
                raise
            items = None
        return ParentArray(self.database, self.map, self.parent_key, size)._slice(skip, items or [])

    def _slice(self, skip: int, items: list) -> ArraySlice:
        out = ArraySlice(skip, read=len(items))
        for index, item in enumerate(items):
            position = skip + index
            where = place(self.parent_key, self.embedded.key, position)
            if not isinstance(item, dict):
                expected = "an embedded document"
                out.rejects.append(self._reject(where, position, "bad_value", f"{expected}, got {_shown(item)}", item))
                continue
            identity = item.get("_id")
            if identity is None:
                why = "an _id (nothing can address an element without one: give it an ObjectId)"
                out.rejects.append(self._reject(where, position, "bad_value", f"{why}, got none", item))
                continue
            same = _identity(identity)
            first = self.first_position.setdefault(same, position)
            if first != position:
                earlier = place(self.parent_key, self.embedded.key, first)
                out.repeats.setdefault(same if isinstance(same, str) else str(identity), [earlier]).append(where)
                reason = (
                    f"{where}: _id {identity!r} is repeated: {earlier} has it first, and it is kept; give this "
                    f"element a new _id (or delete the copy) and rerun"
                )
                out.rejects.append(_as_reject(where, "unique_clash", reason, self._document(position, item)))
                continue
            doc = {**item, PARENT_KEY: self.parent_key}
            out.positions[id(doc)] = position
            out.docs.append(doc)
        return out

    def _field_reject(self) -> tuple[Reject | None, bool]:
        """(the reject of a field that is no array, whether the parent's elements are all accounted for): no reject
        when the array is missing (no elements, as the legacy schema reads it) or the parent is gone; neither when
        it became an array since the slice was asked for (the next run reads it)."""
        key = self.embedded.key
        doc = self.database[self.embedded.parent_collection].find_one({"_id": self.parent_key}, {"_id": 1, key: 1})
        if doc is None or key not in doc or isinstance(doc[key], list):
            return None, not (doc is not None and isinstance(doc.get(key), list))
        reason = (
            f"{place(self.parent_key, key)}: expected an array, got {_shown(doc[key])}; the legacy app cannot append "
            f"to it either. Set it to [] (or to its elements) in Mongo and rerun, or acknowledge this reject"
        )
        document = {PARENT_KEY: self.parent_key, key: doc[key]}
        return _as_reject(place(self.parent_key, key), "bad_value", reason, document), True

    def _refused(self, skip: int, error: OperationFailure) -> Reject:
        where = place(self.parent_key, self.embedded.key)
        detail = (str(error).splitlines() or [""])[0][:300]
        reason = f"{where}: the legacy Mongo store refused to read it from element {skip} (code {error.code}: {detail})"
        return _as_reject(where, "bad_value", reason, {PARENT_KEY: self.parent_key, POSITION_KEY: skip})

    def _reject(self, where: str, position: int, kind: str, problem: str, item: Any) -> Reject:
        return _as_reject(where, kind, f"{where}: expected {problem}", self._document(position, item))

    def _document(self, position: int, item: Any) -> dict:
        shown = item if isinstance(item, dict) else {"value": item}
        return {**shown, PARENT_KEY: self.parent_key, POSITION_KEY: position}


def read_slice(database, element_map: RecordMap, parent_key: Any, skip: int, limit: int) -> list | None:
    """Elements [skip, skip + limit) of the parent's array; None when the field is not an array (or the parent is
    gone). The filter keeps `$slice` off anything but an array."""
    key = element_map.embedded_in.key
    doc = database[element_map.embedded_in.parent_collection].find_one(
        {"_id": parent_key, key: {"$type": "array"}}, {"_id": 1, key: {"$slice": [skip, limit]}}
    )
    return None if doc is None else doc.get(key, [])


def mapped(element_map: RecordMap, piece: ArraySlice, transform) -> Transformed:
    """The slice's element documents mapped to records; the shape rejects first, then those of the mapping, each
    reason prefixed with the element's place."""
    out = transform(element_map, piece.docs)
    by_id = {str(doc.get("_id")): doc for doc in piece.docs}
    located = []
    for reject in out.rejects:
        doc = by_id.get(reject.record_id)
        position = piece.positions.get(id(doc)) if doc is not None else None
        if position is not None:
            where = place(doc[PARENT_KEY], element_map.embedded_in.key, position)
            reject = dataclasses.replace(reject, reason=f"{where}: {reject.reason}"[:2000])
        located.append(reject)
    out.rejects = piece.rejects + located
    return out


def slice_records(database, element_map: RecordMap, model, parent_id: str, piece: ArraySlice, transform) -> Transformed:
    """The slice mapped (`mapped`), without the elements another parent holds (`reject_claimed`)."""
    out = mapped(element_map, piece, transform)
    reject_claimed(element_map, piece, out, claimed_elsewhere(database, element_map, model, parent_id, out.records))
    return out


def claimed_elsewhere(database, element_map: RecordMap, model, parent_id: str, records: list) -> dict[str, str]:
    """Element id -> the other parent whose element row holds it and whose Mongo array still has it."""
    parent_field = element_map.embedded_in.parent_field
    held = dict(
        model.objects.filter(pk__in=[record.id for record in records])
        .exclude(**{parent_field: parent_id})
        .values_list("pk", parent_field)
    )
    embedded = element_map.embedded_in
    parents = database[embedded.parent_collection]
    return {
        element_id: holder
        for element_id, holder in held.items()
        if parents.count_documents(
            {"_id": {"$in": id_candidates(holder)}, f"{embedded.key}._id": {"$in": id_candidates(element_id)}}, limit=1
        )
    }


def reject_claimed(element_map: RecordMap, piece: ArraySlice, out: Transformed, claimed: dict[str, str]) -> None:
    """Move the records whose id another parent holds out of `out`, each a unique_clash naming both places."""
    if not claimed:
        return
    key = element_map.embedded_in.key
    kept = []
    for record in out.records:
        holder = claimed.get(record.id)
        if holder is None:
            kept.append(record)
            continue
        doc = out.documents.pop(record.id)
        position = piece.positions[id(doc)]
        where = place(doc[PARENT_KEY], key, position)
        piece.repeats.setdefault(record.id, [f"{holder}.{key}"]).append(where)
        reason = (
            f"{where}: _id {doc['_id']!r} is also an element of {holder}.{key}, which keeps it (element ids are "
            f"unique across parents); give this element a new _id (or delete the copy) and rerun"
        )
        document = {k: v for k, v in doc.items() if k != PARENT_KEY} | {PARENT_KEY: doc[PARENT_KEY]}
        out.rejects.append(_as_reject(where, "unique_clash", reason, document | {POSITION_KEY: position}))
    out.records = kept


def parent_filter(parent_key: Any) -> dict:
    """The JSON a reject's document holds for its parent (to find a parent's rejects)."""
    return {PARENT_KEY: document_as_json({"k": parent_key})["k"]}


def _as_reject(record_id: str, kind: str, reason: str, document: dict) -> Reject:
    return Reject(record_id, kind, reason[:2000].replace("\x00", "\\u0000"), document_as_json(document))


def _identity(value: Any) -> Any:
    """An element `_id` as the record id it maps to (an ObjectId and its hex string are one), else itself."""
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, str) and legacy.HEX24.match(value):
        return value.lower()
    return (type(value).__name__, repr(value))


def _shown(value: Any) -> str:
    names = {type(None): "null", bool: "a boolean", int: "an integer", float: "a double", str: "a string"}
    names |= {dict: "an object", list: "an array", ObjectId: "an ObjectId", datetime: "a date"}
    text = repr(value)
    return f"{names.get(type(value), type(value).__name__)} ({text[:80]}{'…' if len(text) > 80 else ''})"
