"""Legacy forms: how a document stored each owned key, where that is not what writing its record back gives.

A field map reads several stored forms as one value: a missing key, a null or (for kinds other than text) an
empty string as the field's absence (its default, None, or for `createdAt` the ObjectId's time), and the other
BSON types of its kind's conversion table (cutover.store.kinds) as the value (the double 1.0 as true, epoch
seconds as a date, a 24-hex string as an ObjectId, a numeric string as money). The record alone cannot say
which form the document had, so it keeps them (LegacyShape.legacy_absent, Postgres column `legacy_absent`): a
JSON array with, per such key in document order, the key itself when it was missing, or `[key, value]` with
the stored value as canonical Extended JSON (every BSON type survives: an int32 stays an int32). Writing the
record back (RecordMap.to_document, owned_update) restores that form for each key whose value is still what
the form reads as; a key whose value has changed since is written in the kind's own form.

`settled` drops the marks of keys whose value has changed, so two records of one document state compare
equal whichever store they were read from (a row is written settled). Verify's render-back check renders
without the value forms (blanks only): it judges the conversion, which restoring the form would hide.
"""

import json
from datetime import datetime
from typing import Any

import bson
from bson import json_util

from cutover.store.kinds import CANONICAL_JSON

MISSING = object()  # the key was not in the document
UNMARKED = object()  # the record has no mark for the key


def marker(doc: dict[str, Any], candidates: list[tuple[str, Any]]) -> str | None:
    """The marker of `doc`'s owned keys, from (key, what writing the record puts there, or MISSING) per key
    that may be stored in another form: only the keys whose stored form differs from what would be written
    (a missing optional key is written missing anyway). None when there are none."""
    entries = []
    for key, written in candidates:
        stored = doc.get(key, MISSING)
        if not same_form(stored, written):
            entries.append(key if stored is MISSING else [key, stored])
    return _dumps(entries) if entries else None


def same_form(stored: Any, written: Any) -> bool:
    """The same BSON value, type included (an int32 is not an int64, 1.0 is not 1 or True)."""
    if stored is MISSING or written is MISSING:
        return stored is written
    if stored.__class__ is not written.__class__:  # an int and an Int64 may be one long, bytes and Binary one binData
        return _encoded(stored) == _encoded(written) is not None
    if isinstance(stored, dict | list | float | datetime):  # a naive date is BSON's UTC one: compare as BSON
        try:
            return bson.encode({"v": stored}) == bson.encode({"v": written})
        except Exception:  # noqa: BLE001 - a value BSON cannot hold is no form of anything
            return False
    return stored == written


def _encoded(value: Any) -> bytes | None:
    try:
        return bson.encode({"v": value})
    except Exception:  # noqa: BLE001 - too large for BSON: the same as nothing
        return None


def _dumps(entries: list) -> str:
    return json_util.dumps(entries, json_options=CANONICAL_JSON, ensure_ascii=False)


def blanks(text: str | None) -> dict[str, Any]:
    """key -> its stored form (MISSING, or the value: None, "", 1.0, …) from a marker."""
    if not text:
        return {}
    return {entry: MISSING for entry in _entries(text) if isinstance(entry, str)} | {
        entry[0]: entry[1] for entry in _entries(text) if not isinstance(entry, str)
    }


def is_value_form(form: Any) -> bool:
    """A form that is a value of the kind's table, not a blank (missing, null, "")."""
    return form is not MISSING and form is not UNMARKED and not is_blank(form, False)


def _entries(text: str) -> list:
    if '"$' not in text:
        return json.loads(text)  # plain JSON (the blanks): the common case, faster
    return json_util.loads(text, json_options=CANONICAL_JSON)


def settled(text: str | None, keep) -> str | None:
    """The marker without the keys for which `keep(key)` is false (their value changed since)."""
    if not text:
        return None
    entries = _entries(text)
    kept = [entry for entry in entries if keep(entry if isinstance(entry, str) else entry[0])]
    if len(kept) == len(entries):
        return text
    return _dumps(kept) if kept else None


def is_blank(value: Any, keeps_empty_text: bool) -> bool:
    """A stored value a field map reads as the field's absence."""
    return value is None or (not keeps_empty_text and value.__class__ is str and value == "")


def presence_update(key: str, dump, stored: dict[str, Any], blank: Any, value: Any, sets: dict, unsets: dict) -> None:
    """For a key whose stored value already reads as `value`: the $set/$unset that give it the form the
    record says (present; or `blank`, its mark: MISSING or the stored value; UNMARKED when it has none), e.g.
    after a row changed away and back while Mongo was not written."""
    if blank is UNMARKED:
        if value is None and key in stored and stored[key] is not None:
            unsets[key] = ""
        elif value is not None and key not in stored:
            sets[key] = dump(value)
    elif blank is MISSING:
        if key in stored:
            unsets[key] = ""
    elif not same_form(stored.get(key, MISSING), blank):
        sets[key] = blank
