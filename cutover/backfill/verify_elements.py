"""Verify's comparison of element records (chat messages: elements of an embedded array held as records of
their own, cutover.store.embedded), parent by parent and slice by slice, into the verify's parity."""

from typing import Any

from cutover.backfill.parity import CollectionParity
from cutover.backfill.renderback import check_range
from cutover.modes.registry import DomainSpec
from cutover.store.recordmap import RecordMap


def verify_elements(spec: DomainSpec, parent_map: RecordMap, parents: list[Any], database, parity: dict) -> None:
    """Each parent's elements in Mongo against its rows, slice by slice, into `parity` (element collection ->
    cutover.backfill.parity.CollectionParity): missing and differing elements named by their id."""
    from cutover.backfill.embedded import element_maps, element_slices
    from cutover.backfill.transform import transform

    for element_map in element_maps(spec, parent_map.collection):
        found = parity.setdefault(element_map.collection, CollectionParity())
        backend = spec.build_postgres_repository()
        model = spec.postgres_model(element_map.collection)
        for parent in parents:
            parent_key = parent_map.document_id(parent)
            matched = 0
            for _, docs in element_slices(database, element_map, parent_key):
                found.documents += len(docs)
                found.ranges += 1
                out = transform(element_map, docs)
                for reject in out.rejects:
                    found.unreadable_in_mongo[reject.record_id] = reject.reason
                found.rendered_back(*check_range(element_map, out.documents, out.records))
                rows = {r.id: r for r in backend.read_ids(element_map.collection, tuple(r.id for r in out.records))}
                matched += _compare_elements(found, {r.id: r for r in out.records}, rows)
            stored = model.objects.filter(**{element_map.embedded_in.parent_field: parent.id}).count()
            if stored != matched:
                found.missing_in_mongo += _extra_element_rows(database, element_map, model, parent, parent_key)


def _compare_elements(found, mongo: dict[str, Any], postgres: dict[str, Any]) -> int:
    found.compared += len(mongo)
    for element_id, record in mongo.items():
        row = postgres.get(element_id)
        if row is None:
            found.missing_in_postgres.append(element_id)
        elif row != record:
            found.differing[element_id] = [
                name for name in record.__dataclass_fields__ if getattr(row, name) != getattr(record, name)
            ]
    return len(mongo.keys() & postgres.keys())


def _extra_element_rows(database, element_map: RecordMap, model, parent: Any, parent_key: Any) -> list[str]:
    """Rows of the parent with no element in Mongo (only asked when the counts differ)."""
    embedded = element_map.embedded_in
    doc = database[embedded.parent_collection].find_one({"_id": parent_key}, {f"{embedded.key}._id": 1}) or {}
    in_mongo = {str(item.get("_id")).lower() for item in doc.get(embedded.key) or [] if isinstance(item, dict)}
    ids = model.objects.filter(**{embedded.parent_field: parent.id}).values_list("pk", flat=True).iterator()
    return [element_id for element_id in ids if element_id not in in_mongo]
