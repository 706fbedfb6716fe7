"""Verify of element records (chat messages): each parent's Mongo array against its element rows.

The array is read as the backfill reads it (cutover.backfill.element_reads), so what the backfill rejects
verify reports, and nothing it refuses stops verify: a malformed array or element is *unreadable in Mongo*
under its place (`<parentId>.messages[i]`), an `_id` repeated within a parent or held by another parent's
element is an *id clash* naming the places, and each fails verify unless its reject was acknowledged
(counted apart). Missing and differing elements are named by their id, once read again under their copy locks
(cutover.backfill.recheck): an element a write added or changed between the array's read and its rows' is
no difference, so verify converges on a busy chat.
"""

from collections.abc import Callable
from typing import Any

from cutover.backfill.element_reads import ArraySlice, ParentArray, slice_records
from cutover.backfill.recheck import Rechecker, report_difference
from cutover.backfill.renderback import check_range
from cutover.modes.registry import DomainSpec
from cutover.store.recordmap import RecordMap


def verify_elements(
    spec: DomainSpec, parent_map: RecordMap, parents: list[Any], database, parity: dict, new_parity: Callable
) -> None:
    """Each parent's elements in Mongo against its rows, slice by slice, into `parity` (element collection ->
    what `new_parity()` makes: cutover.backfill.verify.CollectionParity, which imports this module)."""
    from cutover.backfill.elements import SLICE, element_maps
    from cutover.backfill.transform import transform
    from cutover.models import BackfillReject

    for element_map in element_maps(spec, parent_map.collection):
        found = parity.setdefault(element_map.collection, new_parity())
        backend = spec.build_postgres_repository()
        model = spec.postgres_model(element_map.collection)
        acknowledged = set(
            BackfillReject.objects.filter(
                collection=element_map.collection, status=BackfillReject.Status.ACKNOWLEDGED
            ).values_list("record_id", flat=True)
        )
        parent_field = element_map.embedded_in.parent_field
        suspects: dict[str, tuple[Any, Any]] = {}  # found apart (as first read): read again before reported
        for parent in parents:
            parent_key = parent_map.document_id(parent)
            matched = 0
            for piece in ParentArray(database, element_map, parent_key, SLICE).slices():
                found.documents += piece.read
                found.ranges += 1
                out = slice_records(database, element_map, model, parent.id, piece, transform)
                _report_rejects(found, piece, out.rejects, acknowledged)
                found.rendered_back(*check_range(element_map, out.documents, out.records))
                mongo = {r.id: r for r in out.records}
                rows = {r.id: r for r in backend.read_ids(element_map.collection, tuple(mongo))}
                matched += sum(1 for row in rows.values() if getattr(row, parent_field) == parent.id)
                suspects |= _compare_elements(found, mongo, rows)
            stored = model.objects.filter(**{parent_field: parent.id}).count()
            if stored != matched:
                extra = _extra_element_rows(database, element_map, model, parent, parent_key)
                suspects |= dict.fromkeys(extra, (None, _A_ROW))
        _report_after_rereading(found, Rechecker(spec, element_map.collection), suspects)


def _report_rejects(found, piece: ArraySlice, rejects: list, acknowledged: set[str]) -> None:
    """Acknowledged rejects are counted apart; a repeated id is an id clash naming every place that holds it;
    anything else is unreadable, under the reject's id (the element's id or its place)."""
    from cutover.backfill.rejects import storable_record_id

    repeated_at = {place: element_id for element_id, places in piece.repeats.items() for place in places[1:]}
    for reject in rejects:
        if storable_record_id(reject.record_id) in acknowledged:
            found.acknowledged.append(reject.record_id)
        elif reject.record_id in repeated_at:
            element_id = repeated_at[reject.record_id]
            places = set(found.id_clashes.get(element_id, [])) | set(piece.repeats[element_id])
            found.id_clashes[element_id] = sorted(places)
        else:
            found.unreadable_in_mongo[reject.record_id] = reject.reason


def _compare_elements(found, mongo: dict[str, Any], postgres: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The elements missing in Postgres or differing: id -> (element, row or None)."""
    found.compared += len(mongo)
    return {
        element_id: (record, postgres.get(element_id))
        for element_id, record in mongo.items()
        if postgres.get(element_id) != record
    }


def _report_after_rereading(found, rechecker: Rechecker, suspects: dict[str, tuple[Any, Any]]) -> None:
    again = rechecker.again(sorted(suspects))
    for element_id, (first_mongo, first_postgres) in sorted(suspects.items()):
        if element_id in again.unread:  # over the cap, or unreadable now: as first found
            report_difference(found, element_id, first_mongo, first_postgres, in_flight=False)
            continue
        now_mongo, now_postgres = again.mongo.get(element_id), again.postgres.get(element_id)
        report_difference(found, element_id, now_mongo, now_postgres, element_id in again.in_flight)


_A_ROW = object()  # an element row with no element in Mongo, as first found (the row itself not read)


def _extra_element_rows(database, element_map: RecordMap, model, parent: Any, parent_key: Any) -> list[str]:
    """Rows of the parent with no element in Mongo (only asked when the counts differ)."""
    embedded = element_map.embedded_in
    doc = database[embedded.parent_collection].find_one({"_id": parent_key}, {f"{embedded.key}._id": 1}) or {}
    items = doc.get(embedded.key)
    in_mongo = {
        str(item.get("_id")).lower() for item in (items if isinstance(items, list) else []) if isinstance(item, dict)
    }
    ids = model.objects.filter(**{embedded.parent_field: parent.id}).values_list("pk", flat=True).iterator()
    return [element_id for element_id in ids if element_id not in in_mongo]
