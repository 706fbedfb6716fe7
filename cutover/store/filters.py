"""The small query language ports use, that both backends translate."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Lt:
    value: Any


@dataclass(frozen=True)
class Gt:
    value: Any


@dataclass(frozen=True)
class Between:
    """low < value <= high (either end may be None: unbounded)."""

    low: Any
    high: Any


@dataclass(frozen=True)
class In:
    values: tuple


@dataclass(frozen=True)
class NotIn:
    """Values other than these. On `id`, a value names the record whatever its legacy `_id` type (an ObjectId
    or the text it was written as)."""

    values: tuple


@dataclass(frozen=True)
class SameKey:
    """Values whose folded key (cutover.store.folded_keys) is `value`'s: a key the legacy app compares
    case-insensitively, looked up the same way in every store."""

    value: str


Filters = dict[str, Any]  # record field -> value, Lt, Gt, Between, In, NotIn or SameKey
