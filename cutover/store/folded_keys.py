"""Keys the legacy app compares case-insensitively: kept exactly, compared by their *key*.

The legacy app lowercased and trimmed an email before it saved or looked one up, so for it
`"Bob@Example.com "` and `bob@example.com` are one account. Stripping and lowercasing the stored value
on the way in (what the migration used to do) loses the legacy value, and looking it up exactly (what
Mongo-led modes used to do) finds nobody and lets a second account in. So a folded field stores the
legacy value exactly, and every store compares and enforces uniqueness on its key:

- the key of a value is the value without leading or trailing ASCII whitespace (space, \\t, \\n, \\r,
  \\f, \\v), with the ASCII letters A-Z lowercased and nothing else changed;
- a value holding an upper-case letter outside ASCII is refused (a reject naming the field, an error for
  the app): Python, PostgreSQL's `lower()` under different locales, JavaScript and Mongo's regex engine
  fold those differently, so no rule could give one key in every store and in the legacy app.

The same key in every store: Postgres compares `fold_expression(column)` (a functional unique index
gives the uniqueness), Mongo an anchored regex spelling each ASCII letter in both cases, with every other
character escaped and no `i` option (a server's case-insensitive regex and collations fold beyond ASCII).
The tests' mongomock runs that regex with Python's `re`, the server with PCRE: the pattern uses only what both
read alike (character classes, backslash-escaped literals, `^`, `$`). Mongo's own unique index on the key is
exact, so it cannot stop two spellings of one key written at once by two writers (this app writes the key
itself, so its own two writers collide on that index); the backfill rejects the second.
"""

import re
from typing import Any

from django.db.models import F, Func, Value

from cutover.store import legacy
from cutover.store.kinds import Kind

ASCII_SPACE = " \t\n\r\f\v"
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"
_FOLD = str.maketrans(_UPPER, _LOWER)


def has_non_ascii_upper(value: str) -> bool:
    return any(not char.isascii() and char != char.lower() for char in value)


def folded_key(value: str, name: str = "value") -> str:
    """The key the legacy app compares `value` by (see the module docstring)."""
    if value.__class__ is not str:
        raise legacy.LegacyValueError(name, "a string", value)
    if has_non_ascii_upper(value):
        raise legacy.LegacyValueError(name, "no upper-case letters outside ASCII (stores fold them differently)", value)
    return value.strip(ASCII_SPACE).translate(_FOLD)


def fold_expression(column: str) -> Func:
    """The key of `column` in PostgreSQL: btrim and translate are immutable and locale-free, so a unique
    index on this expression holds exactly the keys folded_key gives."""
    trimmed = Func(F(column), Value(ASCII_SPACE), function="btrim")
    return Func(trimmed, Value(_UPPER), Value(_LOWER), function="translate")


def mongo_key_pattern(key: str) -> str:
    """A regex matching every string whose key is `key` (`key` must be a key: folded_key's output)."""
    body = "".join(f"[{char}{char.upper()}]" if "a" <= char <= "z" else re.escape(char) for char in key)
    space = "[ \\t\\n\\r\\f\\v]*"
    return f"^{space}{body}{space}$"  # `$` may match before a final newline: that newline is space here anyway


def _email(value: Any, name: str) -> str:
    text = legacy.legacy_text(value, name)
    key = folded_key(text, name)
    if "@" not in key:
        raise legacy.LegacyValueError(name, "an email address", value)
    return text  # the legacy value exactly: the key is derived, never stored in its place


EMAIL_KEY = Kind(
    "folded_email",
    _email,
    check=lambda value, name: _email(value, name) and None,
    table=(("string", "the text exactly, holding an @ (compared by its key, never stored folded)"),),
)
