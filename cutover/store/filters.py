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


Filters = dict[str, Any]  # record field -> value, Lt, Gt, Between or In
