"""Record clocks are reported, never compared to decide a copy.

A record's version field (updatedAt) is written by different writers: the legacy application on its
own clock, and ours (cutover.store.legacy.next_moment). A copy toward the follower never asks which
is newer: it copies the leading store's current state, read under the record's copy lock
(cutover.mirror.copy). A clock that skews still deserves an operator's eye, so it is reported here:
- a copy that moves a record's updatedAt backwards is logged (the writer's clock is behind);
- values in the future are counted per collection (`future_versions`) for verify's output and admin.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from cutover.store.recordmap import RecordMap

logger = logging.getLogger("cutover.clocks")

FUTURE_TOLERANCE = timedelta(minutes=5)  # clock drift below this is not worth a line


def note_backwards_version(record_map: RecordMap, record: Any, stored_version: Any) -> None:
    """Log a copy whose record is older by its clock than the version it replaces; it is copied anyway."""
    ours = getattr(record, record_map.version_field)
    if isinstance(stored_version, datetime) and isinstance(ours, datetime) and stored_version > ours:
        logger.warning(
            "%s %s: %s goes backwards (%s -> %s), a writer's clock is behind another's; copied anyway, "
            "the leading store's state wins",
            record_map.collection,
            record.id,
            record_map.field(record_map.version_field).key,
            stored_version.isoformat(),
            ours.isoformat(),
        )


def future_versions(model, record_map: RecordMap) -> tuple[int, datetime | None]:
    """(how many rows have a version past now + FUTURE_TOLERANCE, the furthest one) in `model`'s table."""
    if not record_map.version_field:
        return 0, None
    column = model._meta.get_field(record_map.version_field).column
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*), max("{column}") FROM "{model._meta.db_table}" '
            f'WHERE "{column}" > now() + %s AND "{column}" <> \'infinity\'',
            [FUTURE_TOLERANCE],
        )
        count, furthest = cursor.fetchone()
    return count, furthest
