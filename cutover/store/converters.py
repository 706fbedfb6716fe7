"""Precompiled document readers: RecordMap.from_document, unrolled per collection (the backfill's and
verify's hot loop).

`document_reader(record_map)` returns a function doc -> record that gives exactly what
`record_map.from_document(doc)` gives. It is generated once per map as straight-line code: one
`doc.get` per key and, per field, a type test for the shape clean legacy data has (an ObjectId, a
tz-aware UTC date at millisecond precision, a canonical enum string, text without NUL, a plain int
or bool); the value is then taken as it is. Anything else (a dirty shape, a missing required value,
an empty string, an error) hands the whole document to `from_document`, which is the one definition
of what a document means: the fast path only ever skips work whose result it already knows.
Maps with composites or embedded arrays always read through `from_document`.
"""

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bson import ObjectId

from cutover.store import absent, legacy, recordmap
from cutover.store.kinds import BOOL, DATETIME, INT, OBJECT_ID, TEXT, same
from cutover.store.kinds import encode_legacy_fields as _encode_legacy_fields

_readers: dict[int, tuple[Any, Callable[[dict], Any]]] = {}
_IMMUTABLE = (type(None), int, float, str, bool, bytes, tuple, frozenset)


def document_reader(record_map: "recordmap.RecordMap") -> Callable[[dict], Any]:
    """The precompiled reader of `record_map` (built once per map, kept for the process)."""
    cached = _readers.get(id(record_map))
    if cached is None or cached[0] is not record_map:
        cached = _readers[id(record_map)] = (record_map, _compile(record_map))
    return cached[1]


def _compile(record_map: "recordmap.RecordMap") -> Callable[[dict], Any]:
    version = record_map.version_field
    if record_map.composites or record_map.children or record_map.is_child:
        return record_map.from_document
    if version and version not in {f.name for f in record_map.fields}:
        return record_map.from_document
    env: dict[str, Any] = {
        "ObjectId": ObjectId,
        "datetime": datetime,
        "UTC_ZONES": legacy._UTC_ZONES,
        "slow": record_map.from_document,
        "owned": record_map._owned_keys,
        "encode_extras": _encode_legacy_fields,
        "string_id": recordmap._findable_string_id,
        "absent_marker": absent.marker,
        "same_form": absent.same_form,
    }
    lines = ["def read(doc):", "    get = doc.get", "    blank = []", "    try:"]
    names = []
    for index, (name, key, parse, optional, default, keeps_empty_text) in enumerate(record_map._plan):
        kind = record_map.field(name).kind
        var = f"f{index}"
        names.append((name, var))
        env[f"parse{index}"], env[f"key{index}"] = parse, key
        lines.append(f"        v = get(key{index})")
        test, value = _fast_test(kind, index, env)
        if test:
            lines.append(f"        if {test}:")
            lines.append(f"            {var} = {value}")
            lines.append("        elif v is None:")
        else:
            lines.append("        if v is None:")
        immutable_default = default is not recordmap._REQUIRED and isinstance(default, _IMMUTABLE)
        if name == version or not (optional or immutable_default):
            # a blank version reads as created_at, a required one from the ObjectId, a mutable default is
            # copied: the full reading
            lines.append("            return slow(doc)")
        else:
            value_if_blank = None if optional else default
            env[f"default{index}"] = value_if_blank
            env[f"written{index}"] = absent.MISSING if value_if_blank is None else kind.dump(value_if_blank)
            lines.append(f"            blank.append((key{index}, written{index}))")
            lines.append(f"            {var} = default{index}")
        if not keeps_empty_text:
            lines.append('        elif v.__class__ is str and v == "":')
            lines.append("            return slow(doc)")
        lines.append("        else:")
        lines.append(f"            {var} = parse{index}(v, key{index})")
        if key != "_id":  # a value read from another form keeps that form (cutover.store.absent)
            env[f"dump{index}"] = kind.dump
            if kind.dump is same:  # the parser handing back the stored value itself: its form is the kind's
                lines.append(f"            if {var} is not v and not same_form(v, {var}):")
                lines.append(f"                blank.append((key{index}, {var}))")
            else:
                lines.append(f"            if not same_form(v, w := dump{index}({var})):")
                lines.append(f"                blank.append((key{index}, w))")
    lines.append("    except Exception:  # the full reading raises the same error, or reads it after all")
    lines.append("        return slow(doc)")
    by_name = dict(names)
    if version:
        created = by_name.get("created_at", "None")
        lines.append(f"    if {by_name[version]} is None:")
        lines.append(f"        {by_name[version]} = {created}")
    lines.append("    extras = None")
    lines.append("    if not doc.keys() <= owned:")
    lines.append("        extras = encode_extras({k: v for k, v in doc.items() if k not in owned})")
    lines.append("    absent = absent_marker(doc, blank) if blank else None")
    lines.append('    identity = get("_id")')
    lines.append("    legacy_id = string_id(identity) if identity.__class__ is str else None")
    values = ", ".join(f"{name}={var}" for name, var in names)
    shape = "legacy_id=legacy_id, legacy_fields=extras, legacy_absent=absent"
    record_type = record_map.record_type
    env["record_type"] = record_type
    declared = {f.name for f in dataclasses.fields(record_type)}
    plain = not hasattr(record_type, "__post_init__") and not hasattr(record_type, "__slots__")
    if plain and declared == {name for name, _ in names} | {"legacy_id", "legacy_fields", "legacy_absent"}:
        # A frozen dataclass's __init__ sets each field through object.__setattr__; its __dict__ is the same.
        env["new"] = object.__new__
        lines.append("    record = new(record_type)")
        lines.append(f"    record.__dict__.update({values}, {shape})")
        lines.append("    return record")
    else:
        lines.append(f"    return record_type({values}, {shape})")
    exec("\n".join(lines), env)  # noqa: S102 - code generated above from the map's own field table
    return env["read"]


def _fast_test(kind: Any, index: int, env: dict[str, Any]) -> tuple[str, str]:
    """(a test for the value's clean shape, what the kind's parser returns for it); ('', '') if none."""
    if kind is OBJECT_ID:
        return "v.__class__ is ObjectId", "str(v)"
    if kind is DATETIME:
        return "v.__class__ is datetime and v.tzinfo in UTC_ZONES and v.microsecond % 1000 == 0", "v"
    if kind is TEXT:
        return 'v.__class__ is str and "\\x00" not in v', "v"
    if kind is INT:
        return "v.__class__ is int and -2147483648 <= v <= 2147483647", "v"
    if kind is BOOL:
        return "v.__class__ is bool", "v"
    if kind.name == "enum" and kind.examples:
        env[f"allowed{index}"] = frozenset(kind.examples)
        return f"v.__class__ is str and v in allowed{index}", "v"
    return "", ""
