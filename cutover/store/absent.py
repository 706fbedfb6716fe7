"""Which owned keys a legacy document left blank, so that writing its record back leaves them so.

A field map reads a missing key, a null, or (for kinds other than text) an empty string as the field's
absence: its default, None, or for `createdAt` the ObjectId's time. The record alone cannot say which
of those the document had, so it keeps them (LegacyShape.legacy_absent, Postgres column `legacy_absent`):
a JSON array with, per blank key in document order, the key itself when it was missing, or
`[key, value]` when it held null or "". Writing the record back (RecordMap.to_document, owned_update)
restores that blank form for each such key whose value is still what the blank read as; a key whose
value has changed since is written with its value.

`settled` drops the marks of keys whose value has changed, so two records of one document state
compare equal whichever store they were read from (a row is written settled).
"""

import json
from typing import Any

MISSING = object()  # the key was not in the document
UNMARKED = object()  # the record has no mark for the key


def marker(doc: dict[str, Any], candidates: list[tuple[str, Any]]) -> str | None:
    """The marker of `doc`'s blank owned keys, from (key, what writing the record puts there, or MISSING)
    per key that is blank in `doc`: only the keys whose blank form differs from what would be written (a
    missing optional key is written missing anyway). None when there are none."""
    entries = []
    for key, written in candidates:
        stored = doc.get(key, MISSING)
        if not _same(stored, written):
            entries.append(key if stored is MISSING else [key, stored])
    return json.dumps(entries, ensure_ascii=False) if entries else None


def _same(stored: Any, written: Any) -> bool:
    if stored is MISSING or written is MISSING:
        return stored is written
    return stored.__class__ is written.__class__ and stored == written


def blanks(text: str | None) -> dict[str, Any]:
    """key -> its blank form (MISSING, None or "") from a marker."""
    if not text:
        return {}
    return {entry: MISSING for entry in _entries(text) if isinstance(entry, str)} | {
        entry[0]: entry[1] for entry in _entries(text) if not isinstance(entry, str)
    }


def _entries(text: str) -> list:
    return json.loads(text)


def settled(text: str | None, keep) -> str | None:
    """The marker without the keys for which `keep(key)` is false (their value changed since)."""
    if not text:
        return None
    entries = [entry for entry in _entries(text) if keep(entry if isinstance(entry, str) else entry[0])]
    return json.dumps(entries, ensure_ascii=False) if entries else None


def is_blank(value: Any, keeps_empty_text: bool) -> bool:
    """A stored value a field map reads as the field's absence."""
    return value is None or (not keeps_empty_text and value.__class__ is str and value == "")


def presence_update(key: str, dump, stored: dict[str, Any], blank: Any, value: Any, sets: dict, unsets: dict) -> None:
    """For a key whose stored value already reads as `value`: the $set/$unset that give it the presence the
    record says (present; or `blank`, its mark: MISSING, None or ""; UNMARKED when it has none), e.g. after
    a row changed away and back while Mongo was not written."""
    if blank is UNMARKED:
        if value is None and key in stored and stored[key] is not None:
            unsets[key] = ""
        elif value is not None and key not in stored:
            sets[key] = dump(value)
    elif blank is MISSING:
        if key in stored:
            unsets[key] = ""
    elif not _same(stored.get(key, MISSING), blank):
        sets[key] = blank
