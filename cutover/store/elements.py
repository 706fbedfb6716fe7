"""Records that live as elements of an embedded array in Mongo and as rows of their own in Postgres.

The legacy `chats` documents hold their messages in one array that grows to tens
of thousands of elements. Copying such a document as a whole (a snapshot) on
every new message would send the whole array to Mongo, and read it all back,
per message. Instead an element map (a RecordMap with `embedded_in`) makes each
element a record of its own: the mirror copies one element at a time, the same
way it copies whole records (cutover.mirror reads the source under the record's
copy lock and puts it into the sink), and the Mongo side writes only that element:

- absent: `$push` guarded by "no element with this `_id` yet", so a retried or
  duplicated copy never adds it twice, and a copy that arrives after a later
  one only appends (readers order by `createdAt`, not by array position);
- present: its changed keys only, through the positional operator, guarded by
  their old values (compare-and-swap, as cutover.store.mongo_writes does for records);
- gone from the source: `$pull` of that element.

The parent document is never replaced and its array never rewritten or read
whole: lookups project the one element (`$elemMatch`). A push that would take
the document past MongoDB's 16 MiB limit raises DocumentLimitReached, a
permanent failure: the outbox dead-letters it at once (shown in admin, logged)
instead of retrying it forever.

The element's parent id is not a key of the element document: the map reads it
under PARENT_KEY, which this module fills from the parent's `_id` and strips
before writing (a key starting with `$` can never be stored, so it cannot clash
with a legacy key).
"""

import logging
from dataclasses import dataclass
from typing import Any

from pymongo.errors import DocumentTooLarge, WriteError

from cutover.store.mongo_writes import MAX_ATTEMPTS, KeptChanging, id_candidates
from cutover.store.recordmap import RecordMap

logger = logging.getLogger("cutover.store.elements")

PARENT_KEY = "$parent"
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # https://www.mongodb.com/docs/manual/reference/limits/#bson-documents
_TOO_LARGE_CODES = {10334, 17419}  # BSONObjectTooLarge; "Resulting document after update is larger than …"


@dataclass(frozen=True)
class EmbeddedIn:
    parent_collection: str  # the Mongo collection of the parent documents
    key: str  # the array in the parent document
    parent_field: str  # the element record's field naming its parent's id
    # Dotted path of `f(parent_ids)`, run after a backfill loaded those parents' elements (derived state).
    after_load: str = ""


class DocumentLimitReached(RuntimeError):
    """The parent document cannot take this element without passing 16 MiB. Permanent: retrying cannot
    help (the outbox dead-letters it at once); the parent needs splitting or archiving by hand."""

    permanent = True

    def __init__(self, collection: str, parent_id: str, element_id: str, detail: str):
        self.collection, self.parent_id, self.element_id = collection, parent_id, element_id
        super().__init__(
            f"document_too_large: {collection}/{parent_id} would pass MongoDB's 16 MB document limit with "
            f"element {element_id} ({detail}); not retried"
        )


class ElementArrayUnusable(RuntimeError):
    """The parent's array field holds something else (null, a string, an object): MongoDB refuses to `$push`
    onto it, for the legacy app as for us. Permanent until the document is repaired (the outbox dead-letters
    the copy at once; the app's request is refused with this message); never retried as if Mongo were away,
    and the field is never overwritten to make room."""

    permanent = True

    def __init__(self, collection: str, parent_id: Any, key: str, element_id: str):
        self.collection, self.parent_id, self.element_id = collection, parent_id, element_id
        super().__init__(
            f"array_unusable: {collection}/{parent_id} has a `{key}` that is not an array, so element {element_id} "
            f"cannot be added to it; set `{key}` to [] (or to its elements) in Mongo, then retry"
        )


def refuse_unless_array(collection, parent_id: str, key: str, element_id: str, error: Exception) -> None:
    """Raise ElementArrayUnusable (from `error`, the refused write) when the parent's `key` exists and is not
    an array; return otherwise (the caller re-raises `error`: it was about something else)."""
    there = collection.find_one({"_id": {"$in": id_candidates(parent_id)}, key: {"$exists": True}}, {"_id": 1})
    if there is not None and collection.find_one({"_id": there["_id"], key: {"$type": "array"}}, {"_id": 1}) is None:
        raise ElementArrayUnusable(collection.name, there["_id"], key, element_id) from error


class ParentMissing(LookupError):
    """The parent document is not in Mongo (yet): its own copy may still be on its way; retried later."""


def element_document(element_map: RecordMap, record: Any) -> dict[str, Any]:
    doc = element_map.to_document(record)
    doc.pop(PARENT_KEY, None)
    return doc


def element_record(element_map: RecordMap, parent_id: Any, element: dict[str, Any]) -> Any:
    return element_map.from_document({**element, PARENT_KEY: parent_id})


def get_element(database, element_map: RecordMap, element_id: str) -> Any | None:
    """The element record with this id, read without reading its siblings."""
    found = _find_element(database, element_map, element_id, parent_id=None)
    return element_record(element_map, found[0]["_id"], found[1]) if found else None


def put_element(database, element_map: RecordMap, record: Any) -> None:
    """Make the stored element read as `record`: push it when absent, else write its changed keys."""
    embedded: EmbeddedIn = element_map.embedded_in
    parent_id = getattr(record, embedded.parent_field)
    collection = database[embedded.parent_collection]
    for _ in range(MAX_ATTEMPTS):
        found = _find_element(database, element_map, record.id, parent_id=parent_id, legacy_id=record.legacy_id)
        if found is None:
            if _pushed(collection, embedded, parent_id, record, element_map):
                return
            continue  # pushed by another copy meanwhile: compare with it
        parent, stored = found
        update = element_map.owned_update({**stored, PARENT_KEY: parent["_id"]}, record)
        if not update:
            return
        if collection.update_one(*_positional(embedded, parent["_id"], stored, update)).matched_count:
            return
    raise KeptChanging(f"{embedded.parent_collection}.{embedded.key} {record.id} kept changing under us; gave up")


def delete_element(database, element_map: RecordMap, element_id: str) -> None:
    embedded: EmbeddedIn = element_map.embedded_in
    candidates = id_candidates(element_id)
    database[embedded.parent_collection].update_one(
        {f"{embedded.key}._id": {"$in": candidates}}, {"$pull": {embedded.key: {"_id": {"$in": candidates}}}}
    )


def _find_element(
    database, element_map: RecordMap, element_id: str, *, parent_id: str | None, legacy_id: str | None = None
) -> tuple[dict, dict] | None:
    embedded: EmbeddedIn = element_map.embedded_in
    candidates = id_candidates(element_id, legacy_id, of_record=legacy_id is not None)
    query: dict[str, Any] = {f"{embedded.key}._id": {"$in": candidates}}
    if parent_id is not None:
        query["_id"] = {"$in": id_candidates(parent_id)}
    projection = {embedded.key: {"$elemMatch": {"_id": {"$in": candidates}}}}
    parent = database[embedded.parent_collection].find_one(query, projection)
    if not parent or not parent.get(embedded.key):
        return None
    return parent, parent[embedded.key][0]


def _pushed(collection, embedded: EmbeddedIn, parent_id: str, record: Any, element_map: RecordMap) -> bool:
    """Append the element unless one with its `_id` is there; False when the guard saw one (a race)."""
    element = element_document(element_map, record)
    guard = {"_id": {"$in": id_candidates(parent_id)}, f"{embedded.key}._id": {"$ne": element["_id"]}}
    try:
        result = collection.update_one(guard, {"$push": {embedded.key: element}})
    except (DocumentTooLarge, WriteError) as error:
        if isinstance(error, WriteError) and error.code not in _TOO_LARGE_CODES:
            refuse_unless_array(collection, parent_id, embedded.key, record.id, error)
            raise
        raise _limit_reached(embedded, parent_id, record.id, error) from error
    if result.matched_count:
        return True
    if collection.count_documents({"_id": {"$in": id_candidates(parent_id)}}, limit=1) == 0:
        raise ParentMissing(f"{embedded.parent_collection}/{parent_id} not in Mongo; element {record.id} waits")
    return False


def _limit_reached(embedded: EmbeddedIn, parent_id: str, element_id: str, error: Exception) -> DocumentLimitReached:
    reached = DocumentLimitReached(embedded.parent_collection, parent_id, element_id, str(error)[:200])
    logger.error("%s", reached)
    return reached


def _positional(embedded: EmbeddedIn, parent_key: Any, stored: dict, update: dict) -> tuple[dict, dict]:
    """(filter, update) changing one element's keys in place: the filter finds the element by `_id` with
    the old values of the keys about to change (so a concurrent change is never overwritten unseen)."""
    match: dict[str, Any] = {"_id": stored["_id"]}
    positional: dict[str, dict] = {}
    for operator, keys in update.items():
        for key in keys:
            root = key.split(".", 1)[0]
            match[root] = stored.get(root, {"$exists": False})
            positional.setdefault(operator, {})[f"{embedded.key}.$.{key}"] = keys[key]
    return {"_id": parent_key, embedded.key: {"$elemMatch": match}}, positional
