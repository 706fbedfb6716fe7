"""Write helpers every Mongo repository shares: compare-and-swap updates of the keys a write owns.

Writes back to a legacy document never replace it: they read it, work out the
update operators for the keys whose value changes (RecordMap.owned_update), and
apply them guarded by the old values of exactly those keys. So a key no mapping
knows is never touched, a concurrent writer's change is never overwritten
unseen (the guard fails and the write is redone on the new state). Which state a copy writes is
not decided here by clocks: a copy takes the leading store's state under the record's copy lock
(cutover.mirror.copy).
"""

from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

MAX_ATTEMPTS = 5


class KeptChanging(RuntimeError):
    """A guarded write lost the race MAX_ATTEMPTS times in a row."""


def id_candidates(record_id: str, legacy_id: str | None = None, *, of_record: bool = False) -> list[Any]:
    """The `_id`s a record's document may have. Writing a record (`of_record`), its own `_id` only: the
    legacy string it was read with, else the ObjectId, so a write never lands in another document (a
    rejected string-`_id` twin). Looking a record up by id: the ObjectId or the 24-hex string in either
    case (legacy documents hold both forms; other spellings are rejected by the backfill)."""
    if legacy_id is not None:
        return [legacy_id]
    if of_record:
        return [ObjectId(record_id)]
    return [ObjectId(record_id), record_id, record_id.upper()]


def locate(
    collection, record_id: str, legacy_id: str | None = None, *, of_record: bool = False, projection: dict | None = None
) -> dict | None:
    """The document of `record_id`. When an ObjectId and a string `_id` both normalize to it, the
    ObjectId one is the record (what Mongoose's findById reads); the other is an id clash that the
    backfill rejects and verify reports, never merged into it."""
    candidates = id_candidates(record_id, legacy_id, of_record=of_record)
    found = list(collection.find({"_id": {"$in": candidates}}, projection).limit(len(candidates)))
    if not found and of_record and legacy_id is not None:
        # The string `_id` is gone and its ObjectId form may be there: the legacy team's id-type cleanup. That
        # document is the record now (what findById reads); writing the string one again would duplicate it.
        found = list(collection.find({"_id": ObjectId(record_id)}, projection).limit(1))
    found.sort(key=lambda doc: not isinstance(doc["_id"], ObjectId))
    return found[0] if found else None


def guarded(stored: dict, update: dict) -> dict:
    """A filter that matches only while every key about to change still holds what we read.

    An embedded array is guarded by its length, not its whole old value: the filter would otherwise be as
    large as the array, and a command carrying both the old and the new array fails past ~8 MB (16 MiB
    limit). A rewrite of an element that keeps the length is still caught by the version key (updatedAt),
    which every change of a versioned record moves and so guards too."""
    guard: dict[str, Any] = {"_id": stored["_id"]}
    for key in [*update.get("$set", {}), *update.get("$unset", {}), *update.get("$push", {})]:
        if "." in key:  # an element's key (`timeline.3.note`): the array keeps its length, the version guards
            array = key.split(".", 1)[0]
            guard[array] = {"$size": len(stored[array])}
            continue
        value = stored.get(key, {"$exists": False})
        guard[key] = {"$size": len(value)} if isinstance(value, list) else value
    return guard


def is_id_duplicate(error: DuplicateKeyError) -> bool | None:
    """True for a clash on `_id`, False for another unique index, None when the error does not say (a
    stand-in such as mongomock omits keyPattern; the caller then looks the document up again)."""
    pattern = (error.details or {}).get("keyPattern")
    if pattern:
        return list(pattern) == ["_id"]
    message = str((error.details or {}).get("errmsg") or error)
    if "index: _id_ " in message:
        return True
    return False if " index: " in message else None
