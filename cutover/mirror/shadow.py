"""Shadow reads (after GitHub's Scientist): compare, record, never raise.

In dual modes a sampled read also runs against the secondary store. The
caller always gets the primary's answer; a differing or failing secondary is
recorded as a ShadowMismatch for admins. A record whose mirror write is still
in the outbox is expected to differ and is not reported. Every sampled read is
counted (ShadowReadTally, per second): the soak before `dual → postgres`
(cutover.operations.soak) weighs the mismatches against the reads.
"""

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from cutover.mirror.counters import count_shadow_mismatch, count_shadow_read
from cutover.models import MirrorOutboxEntry, ShadowMismatch
from cutover.store.masking import masked

logger = logging.getLogger("cutover.mirror.shadow")


def shadow_compare(
    *, domain: str, method: str, primary_store: str, primary_result: Any, secondary_call: Callable[[], Any]
) -> None:
    _count_sampled_read(domain)
    count_shadow_read(domain)
    try:
        secondary_result = secondary_call()
    except Exception as error:
        _record(domain, method, primary_store, "", ShadowMismatch.Kind.ERROR, {"error": repr(error)})
        return
    if primary_result == secondary_result:
        return
    differences = result_differences(primary_result, secondary_result)
    ids = _result_ids(primary_result) | _result_ids(secondary_result)
    if _mirror_in_flight(domain, ids):
        return
    record_id = next(iter(ids)) if len(ids) == 1 else ""
    _record(domain, method, primary_store, record_id, ShadowMismatch.Kind.MISMATCH, differences)


def _count_sampled_read(domain: str) -> None:
    """One more sampled read of `domain` in this second (one upsert; never breaks the caller's read)."""
    second = timezone.now().replace(microsecond=0)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO cutover_shadow_read_tallies (domain, second, reads) VALUES (%s, %s, 1) "
                "ON CONFLICT (domain, second) DO UPDATE SET reads = cutover_shadow_read_tallies.reads + 1",
                [domain, second],
            )
    except Exception:
        logger.exception("could not count a shadow read of %s", domain)


def result_differences(primary: Any, secondary: Any) -> dict[str, list]:
    """field -> [primary, secondary] for records; per-id entries for lists."""
    if dataclasses.is_dataclass(primary) and type(primary) is type(secondary):
        return {
            field.name: [_plain(getattr(primary, field.name)), _plain(getattr(secondary, field.name))]
            for field in dataclasses.fields(primary)
            if getattr(primary, field.name) != getattr(secondary, field.name)
        }
    if isinstance(primary, list | tuple) and isinstance(secondary, list | tuple):
        return _list_differences(primary, secondary)
    return {"result": [_plain(primary), _plain(secondary)]}


def _list_differences(primary: list, secondary: list) -> dict[str, list]:
    by_id = {getattr(item, "id", index): item for index, item in enumerate(secondary)}
    differences: dict[str, list] = {}
    for index, item in enumerate(primary):
        key = getattr(item, "id", index)
        other = by_id.pop(key, None)
        if other != item:
            differences[str(key)] = [_plain(item), _plain(other)]
    for key, other in by_id.items():
        differences[str(key)] = [None, _plain(other)]
    if not differences:  # same items, other order
        differences["order"] = [[str(getattr(item, "id", item)) for item in items] for items in (primary, secondary)]
    return differences


def _result_ids(result: Any) -> set[str]:
    items = result if isinstance(result, list | tuple) else [result]
    return {item.id for item in items if hasattr(item, "id")}


def _mirror_in_flight(domain: str, ids: set[str]) -> bool:
    return (
        bool(ids)
        and MirrorOutboxEntry.objects.filter(
            domain=domain, record_id__in=ids, status=MirrorOutboxEntry.Status.PENDING
        ).exists()
    )


def _plain(value: Any) -> Any:
    """JSON-ready; a whole record becomes a field -> value map, so its secret fields can be masked by name
    (its repr would carry them under no key)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    return str(value) if value is not None else None


def _record(domain: str, method: str, primary_store: str, record_id: str, kind: str, differences: dict) -> None:
    count_shadow_mismatch(domain, kind)
    try:
        ShadowMismatch.objects.create(
            domain=domain,
            method=method,
            record_id=record_id,
            kind=kind,
            primary_store=primary_store,
            differences=masked(differences),  # a secret that differs is named, never stored
        )
    except Exception:  # recording must never break the caller's read
        logger.exception("could not record a shadow %s for %s.%s", kind, domain, method)
