"""Records as JSON: the frozen records every store returns, with money as exact strings."""

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any

# Kept by every record for lossless writes back to Mongo; not part of what the API offers.
_INTERNAL = frozenset({"legacy_id", "legacy_fields", "legacy_absent"})


def record_json(record: Any) -> Any:
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {
            field.name: record_json(getattr(record, field.name))
            for field in dataclasses.fields(record)
            if field.name not in _INTERNAL
        }
    if isinstance(record, list | tuple):
        return [record_json(item) for item in record]
    if isinstance(record, dict):
        return {str(key): record_json(value) for key, value in record.items()}
    if isinstance(record, Decimal):
        return money_text(record)
    if isinstance(record, datetime):
        return record.isoformat().replace("+00:00", "Z")
    return record


def money_text(amount: Decimal) -> str:
    """Exact, and plain digits: never a float, never exponent notation (a zero sum is 0E-18 to Decimal)."""
    return format(amount, "f")
