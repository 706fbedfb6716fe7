"""Write helpers every Mongo repository shares."""

from typing import Any

from pymongo.errors import DuplicateKeyError


def document_update(old: dict[str, Any], new: dict[str, Any], *, appendable: tuple[str, ...] = ()) -> dict:
    """The update operators that turn `old` into `new`.

    Arrays in `appendable` that only grew are extended with $push, as the
    legacy app did, so a concurrent legacy writer's push is not clobbered.
    """
    sets: dict[str, Any] = {}
    pushes: dict[str, Any] = {}
    for key, value in new.items():
        if key == "_id" or old.get(key) == value:
            continue
        previous = old.get(key) or []
        if key in appendable and isinstance(value, list) and value[: len(previous)] == previous:
            pushes[key] = {"$each": value[len(previous) :]}
        else:
            sets[key] = value
    update: dict[str, Any] = {}
    if sets:
        update["$set"] = sets
    if pushes:
        update["$push"] = pushes
    return update


def replace_unless_newer(collection, document: dict[str, Any], *, version_field: str = "updatedAt") -> bool:
    """Upsert `document` unless the stored one has a later `version_field`.

    This is what makes mirror writes idempotent and safe to reorder: an older
    snapshot arriving late never overwrites a newer one. Returns True if written.
    """
    version = document[version_field]
    result = collection.replace_one({"_id": document["_id"], version_field: {"$lte": version}}, document, upsert=True)
    return bool(result.matched_count or result.upserted_id is not None)


def replace_unless_newer_safe(collection, document: dict[str, Any], *, version_field: str = "updatedAt") -> bool:
    """replace_unless_newer, also for stored documents whose version is missing or not a date."""
    try:
        return replace_unless_newer(collection, document, version_field=version_field)
    except DuplicateKeyError:
        stored = collection.find_one({"_id": document["_id"]}, {version_field: 1}) or {}
        stored_version = stored.get(version_field)
        if _comparable(stored_version, document[version_field]) and stored_version > document[version_field]:
            return False  # the stored copy is newer: keep it
        collection.replace_one({"_id": document["_id"]}, document, upsert=True)
        return True


def _comparable(stored: Any, ours: Any) -> bool:
    return type(stored) is type(ours) or (hasattr(stored, "tzinfo") and hasattr(ours, "tzinfo"))
