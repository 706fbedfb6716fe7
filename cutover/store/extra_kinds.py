"""Value kinds of the points, review, blog and settings domains: bounded integers, arrays of strings,
and JSON kept exactly as its text.

Why JSON as text: a settings value (`configs.value`, `levelconfigs.perks`) is arbitrary JSON that must
come back to Mongo exactly as it was. `jsonb` reorders object keys and stores numbers as `numeric`
(1e20 comes back as an int), and Python's `==` says 1 == 1.0 == True and ignores key order, so neither
a jsonb column nor a dict in the record can tell such values apart. The record carries the value's
canonical JSON text instead (key order, int vs float and null all visible), Postgres stores that text,
and two records are equal only when their values are the same JSON, so verify and the mirrors' compare
see any drift.
"""

import json
from typing import Any

from cutover.store import legacy
from cutover.store.kinds import INT, INT32, JSON, Kind, json_form, whole_number


def int_between(low: int, high: int, *, examples: tuple[int, ...] = ()) -> Kind:
    """An integer in [low, high] (a number written as a string or as a whole double is read as the integer)."""

    def parse(value: Any, name: str) -> int:
        number = whole_number(value, name)
        check(number, name)
        return number

    def check(number: int, name: str) -> None:
        if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
            raise legacy.LegacyValueError(name, f"an integer from {low} to {high}", number)

    return Kind("int", parse, check=check, examples=examples, table=INT.table)


INT64 = int_between(-(2**63), 2**63 - 1)  # what Mongo's long and Postgres' bigint both hold
COUNT = int_between(0, INT32[1])  # a PositiveIntegerField: Postgres `integer` with a check for >= 0


def _string_list(value: Any, name: str) -> list[str]:
    if not isinstance(value, list):
        raise legacy.LegacyValueError(name, "an array of strings", value)
    for index, item in enumerate(value):
        if item.__class__ is not str:
            raise legacy.LegacyValueError(f"{name}[{index}]", "a string", item)
        legacy.legacy_text(item, f"{name}[{index}]")  # refuses a NUL, which PostgreSQL cannot store
    return list(value)


STRING_LIST = Kind(
    "string_list",
    _string_list,
    list,
    examples=([], ["escrow"], ["guides", "безопасность"]),
    check=_string_list,
    table=(("array", "of strings, each kept exactly (no NUL)"),),
)


_JSON_NAMES = {list: "array", dict: "object", str: "string"}


def json_text(value: Any, name: str, *, expected: type | None = None) -> str:
    """The canonical text of a legacy (or app) JSON value: relaxed Extended JSON where that keeps every BSON
    type, else canonical (cutover.store.kinds.JSON decides), dumped without reordering anything."""
    if expected is not None and not isinstance(value, expected):
        raise legacy.LegacyValueError(name, f"a JSON {_JSON_NAMES.get(expected, expected.__name__)}", value)
    plain = json_form(value, name)  # a NUL is kept: the JSON text escapes it (\u0000)
    try:
        return json.dumps(plain, ensure_ascii=False, allow_nan=False)
    except ValueError as error:  # not expected after JSON.parse (NaN is {"$numberDouble": "NaN"}), but never silent
        raise legacy.LegacyValueError(name, "a value JSON can hold", value) from error


def json_value(text: str) -> Any:
    """The BSON value of a canonical JSON text, as it goes back to Mongo."""
    return JSON.dump(json.loads(text))


def _check_json_text(text: Any, name: str) -> None:
    try:
        json.loads(text)
    except (TypeError, ValueError) as error:
        raise legacy.LegacyValueError(name, "JSON text", text) from error


def exact_json(*, expected: type | None = None, examples: tuple = ()) -> Kind:
    """A JSON value kept exactly, held by records as its canonical text (see the module docstring)."""
    return Kind(
        "json_text",
        lambda value, name: json_text(value, name, expected=expected),
        json_value,
        examples=examples,
        check=_check_json_text,
        table=(("any", "the value itself, every BSON type kept (no $-keyed lookalike subdocuments), as JSON text"),),
    )
