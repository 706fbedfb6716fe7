"""Backfill and verify of element records (cutover.store.elements): an embedded array read in slices.

A legacy chat holds tens of thousands of messages in one document. The backfill and verify
read such documents without the array (document sources leave element keys out, see
`excluded_keys`), then, for each parent that loaded, read its array `SLICE` elements at a
time (cutover.backfill.element_reads, which turns every malformed array or element into a reject naming the
parent and the position), and load or compare each slice on its own: memory stays that of one slice whatever
the array's length, and a slice commits with its rejects in one short transaction (never one 50,000-row
transaction). Element rows go through the same TableLoader as every record (copy locks and a fresh re-read of
the slice, orphans, id clashes, the leader's state over the row's whatever their clocks); an element whose
`_id` another parent's element holds is a reject, never loaded over that row. After a parent's whole array was
read, its earlier rejects not raised again are resolved (the element was fixed or went). Verify names missing
and differing elements by id.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from cutover.backfill.element_reads import (
    ParentArray,
    claimed_elsewhere,
    mapped,
    parent_filter,
    reject_claimed,
    slice_records,
)
from cutover.modes.registry import DomainSpec
from cutover.store.legacy import HEX24
from cutover.store.recordmap import RecordMap

SLICE = 2000


@dataclass
class ElementSummary:
    read: int = 0
    written: int = 0
    rejected: int = 0


def element_maps(spec: DomainSpec, parent_collection: str) -> list[RecordMap]:
    return [m for m in spec.load_port().MAPS if m.embedded_in and m.embedded_in.parent_collection == parent_collection]


def backfill_elements(
    spec: DomainSpec, parent_map: RecordMap, parents: list[Any], database, run
) -> dict[str, ElementSummary]:
    """Load the elements of each parent in `parents` (records whose rows exist now), slice by slice."""
    from cutover.backfill.load import TableLoader
    from cutover.backfill.rejects import save_batch_outcome
    from cutover.backfill.transform import transform
    from cutover.mirror.copy import lock_record_copies

    summaries: dict[str, ElementSummary] = {}
    for element_map in element_maps(spec, parent_map.collection):
        summary = summaries.setdefault(element_map.collection, ElementSummary())
        model = spec.postgres_model(element_map.collection)
        after_load = _after_load(element_map)
        for parent in parents:
            array = ParentArray(database, element_map, parent_map.document_id(parent), SLICE)
            raised: set[str] = set()
            for piece in array.slices():
                out = mapped(element_map, piece, transform)
                reread = _rereader(array, piece, transform)
                loader = TableLoader(spec, element_map.collection, reread=reread)
                with transaction.atomic():
                    # Under the elements' copy locks: two runs loading two parents that share an id (shards) see
                    # each other's rows, so the second copy is a reject, never an overwrite.
                    lock_record_copies(element_map.collection, [record.id for record in out.records])
                    claimed = claimed_elsewhere(database, element_map, model, parent.id, out.records)
                    reject_claimed(element_map, piece, out, claimed)
                    result = loader.load(out.records)
                    # (resolved per parent below: an id that loads here may be another parent's rejected copy)
                    summary.rejected += save_batch_outcome(
                        spec, element_map.collection, run, out, result, resolve_earlier=False
                    )
                raised |= {reject.record_id for reject in out.rejects} | {r[0] for r in result.rejects}
                summary.read += piece.read
                summary.written += len(result.written)
            if array.complete:
                resolve_stale_rejects(element_map.collection, array.parent_key, raised)
        if after_load and parents:
            after_load([parent.id for parent in parents])
    return summaries


def dry_run_elements(
    spec: DomainSpec, parent_map: RecordMap, parents: list[Any], database
) -> dict[str, ElementSummary]:
    """What backfill_elements would read and reject (bad values and shapes, ids repeated in a parent or held by
    another parent's loaded row), slice by slice; writes nothing. (Ids repeated across parents of this dry run
    alone are not seen: nothing was loaded to hold them.)"""
    from cutover.backfill.transform import transform

    summaries: dict[str, ElementSummary] = {}
    for element_map in element_maps(spec, parent_map.collection):
        summary = summaries.setdefault(element_map.collection, ElementSummary())
        model = spec.postgres_model(element_map.collection)
        for parent in parents:
            for piece in ParentArray(database, element_map, parent_map.document_id(parent), SLICE).slices():
                out = slice_records(database, element_map, model, parent.id, piece, transform)
                summary.read += piece.read
                summary.written += len(out.records)
                summary.rejected += len(out.rejects)
    return summaries


def resolve_stale_rejects(collection: str, parent_key: Any, raised: set[str]) -> None:
    """The parent's unresolved element rejects (its id in their document, or their id its place) that its complete
    read did not raise again: loaded now, fixed, or gone."""
    from cutover.backfill.rejects import storable_record_id
    from cutover.models import BackfillReject

    of_parent = Q(document__contains=parent_filter(parent_key)) | Q(record_id__startswith=f"{parent_key}.")
    BackfillReject.objects.filter(of_parent, collection=collection, status__in=BackfillReject.UNRESOLVED).exclude(
        record_id__in=[storable_record_id(record_id) for record_id in raised]
    ).update(status=BackfillReject.Status.RESOLVED, resolved_at=timezone.now())


def _rereader(array: ParentArray, piece, transform) -> Callable[[list], list]:
    """The slice read again (after the copy locks are held): elements only ever get appended, so the same
    positions hold the same elements; one that moved or went, or that now reads as a reject, is simply not
    loaded this time (the loader keeps only the records it was given)."""
    return lambda records: mapped(array.map, array.slice_at(piece.skip, piece.read), transform).records


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
    """Elements in the parent's Mongo array that have no row (by id, in lowercase hex), except those never
    migrated (an open or acknowledged reject: Postgres never had them, so they were not deleted there)."""
    from cutover.models import BackfillReject

    embedded = element_map.embedded_in
    doc = (
        database[embedded.parent_collection].find_one(
            {"_id": parent_map.document_id(parent)}, {f"{embedded.key}._id": 1}
        )
        or {}
    )
    items = doc.get(embedded.key)
    in_mongo = {
        str(item["_id"]).lower()
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and _hex24(item.get("_id"))
    }
    in_rows = set()
    for start in range(0, len(in_mongo), SLICE):
        chunk = sorted(in_mongo)[start : start + SLICE]
        in_rows |= set(model.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        in_rows |= {
            record_id.lower()
            for record_id in BackfillReject.objects.filter(
                collection=element_map.collection,
                record_id__in=chunk + [c.upper() for c in chunk],
                status__in=BackfillReject.UNRESOLVED,
            ).values_list("record_id", flat=True)
        }
    return sorted(in_mongo - in_rows)


def _hex24(identity: Any) -> bool:
    return isinstance(identity, ObjectId) or (isinstance(identity, str) and bool(HEX24.match(identity)))
