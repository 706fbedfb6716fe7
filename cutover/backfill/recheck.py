"""Verify under writes: a record found missing or differing is read again from both stores before it is
reported, so that a busy domain whose stores agree passes.

A range's documents are read some time before its rows; a write made in between (acknowledged in both
stores meanwhile) looks like a difference. Each such record is read again from both stores in a
transaction holding the domain's write fence exclusively (cutover.modes.fence: it waits for the dual writes
in flight, a Mongo-primary one until its Postgres copy is made) and the record's copy lock
(cutover.mirror.copy: no mirror or repair copies it meanwhile). Then:
- the two stores agree: nothing is reported (a record gone from both is no difference either);
- they differ and the record has a pending mirror entry (a `dual` write whose Mongo copy follows its
  commit, or a copy waiting for the repair): it is counted as in flight, not as a failure (the readiness
  checklist refuses the next step while entries are pending);
- otherwise the difference is reported as it is now.
Records of an element map (chat messages, cutover.backfill.element_parity) are read again the same way,
one element each, under the element's copy lock (the lock its copies take).
The fence is held for one chunk of records at a time (a few milliseconds), and at most MAX_RECHECKS
records a collection are read again: a domain with more differences than that is not busy, it is apart.
"""

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from cutover.mirror.copy import lock_record_copies
from cutover.modes.fence import FenceBusy, hold_fence_for_change
from cutover.store.legacy import LegacyValueError

CHUNK = 50
MAX_RECHECKS = 2000


@dataclass
class Rechecked:
    mongo: dict[str, Any] = field(default_factory=dict)  # id -> record, as read again (absent: no document)
    postgres: dict[str, Any] = field(default_factory=dict)
    in_flight: set[str] = field(default_factory=set)
    unread: set[str] = field(default_factory=set)  # not read again (over the cap, unreadable): as first found


class Rechecker:
    def __init__(self, spec, collection: str):
        self.spec, self.collection = spec, collection
        self.mongo, self.postgres = spec.build_mongo_repository(), spec.build_postgres_repository()
        self.done = 0

    def again(self, ids: list[str]) -> Rechecked:
        found = Rechecked()
        budget = max(0, MAX_RECHECKS - self.done)
        found.unread |= set(ids[budget:])
        ids = ids[:budget]
        self.done += len(ids)
        for start in range(0, len(ids), CHUNK):
            self._chunk(ids[start : start + CHUNK], found)
        return found

    def _chunk(self, ids: list[str], found: Rechecked) -> None:
        from cutover.models import MirrorOutboxEntry

        with transaction.atomic():
            try:
                with transaction.atomic():  # a fence held too long by others: read under the copy locks alone
                    hold_fence_for_change(self.spec.name)
            except FenceBusy:
                pass
            lock_record_copies(self.collection, ids)
            for record in self.postgres.read_ids(self.collection, tuple(ids)):
                found.postgres[record.id] = record
            for record_id in ids:
                try:
                    record = self.mongo.get_snapshot(self.collection, record_id)
                except LegacyValueError:
                    found.unread.add(record_id)
                    continue
                if record is not None:
                    found.mongo[record_id] = record
            found.in_flight |= set(
                MirrorOutboxEntry.objects.filter(
                    collection=self.collection, record_id__in=ids, status=MirrorOutboxEntry.Status.PENDING
                ).values_list("record_id", flat=True)
            )


def report_difference(parity, record_id: str, now_mongo: Any, now_postgres: Any, in_flight: bool) -> None:
    """Put a record that was found apart into `parity` (cutover.backfill.verify.CollectionParity) by how it
    stands now: nothing when the stores agree, else in flight, missing on one side, or differing (by field)."""
    if now_mongo == now_postgres:
        return  # a write was in flight when it was first read; the stores agree now
    if in_flight:
        parity.in_flight.append(record_id)
    elif now_postgres is None:
        parity.missing_in_postgres.append(record_id)
    elif now_mongo is None:
        parity.missing_in_mongo.append(record_id)
    else:
        parity.differing[record_id] = [
            f.name for f in dataclasses.fields(now_mongo) if getattr(now_mongo, f.name) != getattr(now_postgres, f.name)
        ]
