"""Backfill and verify of element records (cutover.store.embedded): an embedded array read in slices.

A legacy chat holds tens of thousands of messages in one document. The backfill and verify
read such documents without the array (document sources leave element keys out, see
`excluded_keys`), then, for each parent that loaded, read its array `SLICE` elements at a
time (`$slice`), and load or compare each slice on its own: memory stays that of one slice
whatever the array's length, and a slice commits with its rejects in one short transaction
(never one 50,000-row transaction). Element rows go through the same TableLoader as every
record (copy locks and a fresh re-read of the slice, orphans, id clashes, the leader's state
over the row's whatever their clocks), and a bad element is a reject of the element collection naming its id, the run
goes on. Verify names missing and differing elements by id.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string

from cutover.modes.registry import DomainSpec
from cutover.store.embedded import PARENT_KEY
from cutover.store.recordmap import RecordMap

SLICE = 2000


@dataclass
class ElementSummary:
    read: int = 0
    written: int = 0
    rejected: int = 0


def element_maps(spec: DomainSpec, parent_collection: str) -> list[RecordMap]:
    return [m for m in spec.load_port().MAPS if m.embedded_in and m.embedded_in.parent_collection == parent_collection]


def read_slice(database, element_map: RecordMap, parent_key: Any, skip: int, limit: int) -> list[dict]:
    """Elements [skip, skip + limit) of one parent's array, each with its parent's id under PARENT_KEY."""
    embedded = element_map.embedded_in
    doc = database[embedded.parent_collection].find_one(
        {"_id": parent_key}, {"_id": 1, embedded.key: {"$slice": [skip, limit]}}
    )
    items = (doc or {}).get(embedded.key)
    if not isinstance(items, list):
        return []
    return [
        {**item, PARENT_KEY: parent_key}
        if isinstance(item, dict)
        else {"_id": f"{parent_key}.{embedded.key}[{skip + index}]", "value": item}  # a reject naming its place
        for index, item in enumerate(items)
    ]


def backfill_elements(
    spec: DomainSpec, parent_map: RecordMap, parents: list[Any], database, run
) -> dict[str, ElementSummary]:
    """Load the elements of each parent in `parents` (records whose rows exist now), slice by slice."""
    from cutover.backfill.load import TableLoader
    from cutover.backfill.rejects import save_batch_outcome
    from cutover.backfill.transform import transform

    summaries: dict[str, ElementSummary] = {}
    for element_map in element_maps(spec, parent_map.collection):
        summary = summaries.setdefault(element_map.collection, ElementSummary())
        after_load = _after_load(element_map)
        for parent in parents:
            parent_key = parent_map.document_id(parent)
            for skip, docs in element_slices(database, element_map, parent_key):
                reread = _rereader(database, element_map, parent_key, skip, len(docs), transform)
                loader = TableLoader(spec, element_map.collection, reread=reread)
                out = transform(element_map, docs)
                with transaction.atomic():
                    result = loader.load(out.records)
                    summary.rejected += save_batch_outcome(spec, element_map.collection, run, out, result)
                summary.read += len(docs)
                summary.written += len(result.written)
        if after_load and parents:
            after_load([parent.id for parent in parents])
    return summaries


def dry_run_elements(
    spec: DomainSpec, parent_map: RecordMap, parents: list[Any], database
) -> dict[str, ElementSummary]:
    """What backfill_elements would read and reject (bad values), slice by slice; writes nothing."""
    from cutover.backfill.transform import transform

    summaries: dict[str, ElementSummary] = {}
    for element_map in element_maps(spec, parent_map.collection):
        summary = summaries.setdefault(element_map.collection, ElementSummary())
        for parent in parents:
            for _, docs in element_slices(database, element_map, parent_map.document_id(parent)):
                out = transform(element_map, docs)
                summary.read += len(docs)
                summary.written += len(out.records)
                summary.rejected += len(out.rejects)
    return summaries


def element_slices(database, element_map: RecordMap, parent_key: Any):
    skip = 0
    while docs := read_slice(database, element_map, parent_key, skip, SLICE):
        yield skip, docs
        skip += len(docs)


def _rereader(database, element_map, parent_key, skip: int, size: int, transform) -> Callable[[list], list]:
    """The slice read again (after the copy locks are held): elements only ever get appended, so the same
    positions hold the same elements; one that moved or went is simply not loaded this time."""
    return lambda records: transform(element_map, read_slice(database, element_map, parent_key, skip, size)).records


def _after_load(element_map: RecordMap) -> Callable[[list[str]], None] | None:
    path = element_map.embedded_in.after_load
    return import_string(path) if path else None


def reverse_elements(spec: DomainSpec, parent_map: RecordMap, parents: list[Any], *, dry_run: bool) -> int:
    """The reverse copy (Postgres -> Mongo) of each parent's elements, after the parent itself: every row is
    copied as a mirror copies it (one element, under its copy lock, from the row read after the lock), and
    an element with no row (deleted while Postgres led) is pulled. Returns how many elements were copied or
    removed (a dry run copies nothing and counts the rows only)."""
    from cutover.mirror.copy import lock_record_copies, mirror_record

    touched = 0
    database = spec.build_mongo_repository().database
    for element_map in element_maps(spec, parent_map.collection):
        model = spec.postgres_model(element_map.collection)
        embedded = element_map.embedded_in
        for parent in parents:
            rows = model.objects.filter(**{embedded.parent_field: parent.id}).order_by("pk")
            for element_id in rows.values_list("pk", flat=True).iterator(chunk_size=SLICE):
                touched += 1
                if not dry_run:
                    mirror_record(spec.name, element_map.collection, element_id, "mongo")
            for element_id in _extra_rows_in_mongo(database, element_map, model, parent, parent_map):
                touched += 1
                if dry_run:
                    continue
                with transaction.atomic():
                    lock_record_copies(element_map.collection, [element_id])
                    if not model.objects.filter(pk=element_id).exists():
                        spec.build_mongo_repository().delete_snapshot(element_map.collection, element_id)
    return touched


def _extra_rows_in_mongo(database, element_map: RecordMap, model, parent: Any, parent_map: RecordMap) -> list[str]:
    """Elements in the parent's Mongo array that have no row (by id, in lowercase hex)."""
    embedded = element_map.embedded_in
    doc = (
        database[embedded.parent_collection].find_one(
            {"_id": parent_map.document_id(parent)}, {f"{embedded.key}._id": 1}
        )
        or {}
    )
    in_mongo = {str(item.get("_id")).lower() for item in doc.get(embedded.key) or [] if isinstance(item, dict)}
    in_rows = set()
    for start in range(0, len(in_mongo), SLICE):
        chunk = sorted(in_mongo)[start : start + SLICE]
        in_rows |= set(model.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return sorted(in_mongo - in_rows)
