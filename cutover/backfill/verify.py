"""Parity between the stores: every Mongo document against its Postgres rows (children
included), in the canonical record form both sides map to.

Streams by `_id` range (never a whole collection in memory): per range, first one
digest of the rows computed in Postgres against the same digest of the documents'
records (cutover.backfill.fingerprint); where they differ (or cannot be computed),
both sides are mapped to records and compared as a whole (ids and every field, children
included; equal values compare equal whatever their stored form, e.g.
Decimal('10.5') and Decimal('10.50000000')); only a range that differs is
narrowed down to its ids: missing in Postgres, missing in Mongo, or differing
(with the fields).

Besides the parsed records, every document is checked against its record rendered back to the legacy
shape, key by key, without the parsers (cutover.backfill.renderback; in the workers for the ranges they
digest): a wrong conversion, which both stores' records would share, fails the verify there. A record found
missing or differing is read again from both stores under the domain's write fence and its copy lock
before it is reported (cutover.backfill.recheck), so writes in flight do not fail a verify.

Every document is accounted for, whatever its `_id`: one that cannot be compared (an odd
`_id`, an unreadable value) fails the verify unless its reject was acknowledged by a user
(counted apart), and two documents whose ids normalize to one (ObjectId('x') and 'x', or
'x' and 'X') are an id clash, never one silently standing for the other.
"""

import json
from datetime import timedelta
from typing import Any

from bson import ObjectId
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from cutover.backfill.fingerprint import RangeFingerprint
from cutover.backfill.parity import CollectionParity
from cutover.backfill.pipeline import read_ahead_in_workers
from cutover.backfill.recheck import Rechecker, report_difference
from cutover.backfill.renderback import check_range
from cutover.backfill.source import DocumentSource
from cutover.backfill.stopping import Interrupted, interruption
from cutover.backfill.transform import document_as_json, transform
from cutover.backfill.workers import submit_range_digest
from cutover.models import BackfillReject, VerifyResult
from cutover.modes.registry import DomainSpec, domain_spec
from cutover.store.legacy import now_ms

EXPIRY_MARGIN = timedelta(minutes=5)  # longer than the TTL monitor's 60 s cycle and a verify range's duration


def verify_domain(domain: str, *, source: DocumentSource | None = None, range_size: int = 1000) -> VerifyResult:
    from cutover.backfill.source import migration_source

    spec = domain_spec(domain)
    source = source or migration_source()
    started = timezone.now()
    parity: dict[str, CollectionParity] = {}
    for collection in spec.collections:
        parity[collection] = verify_collection(spec, collection, source, range_size, elements=parity)
    return VerifyResult.objects.create(
        domain=spec.name,
        started_at=started,
        passed=all(p.passed for p in parity.values()),
        counts={c: p.counts() for c, p in parity.items()},
        samples={c: p.samples() for c, p in parity.items()},
    )


def verify_collection(
    spec: DomainSpec, collection: str, source: DocumentSource, range_size: int, elements: dict | None = None
) -> CollectionParity:
    """`elements`: where the parity of the collection's element records (chat messages) goes, by their
    collection; each document in both stores has its elements compared slice by slice."""
    parity = CollectionParity()
    checker = _RangeChecker(spec, collection, parity)
    checker.elements = (
        (lambda m, p: _verify_elements_of(spec, collection, source, m, p, elements))
        if (elements is not None and spec.record_map(collection).element_keys)
        else None
    )
    checker.odd_ids(source.other_ids(collection))  # neither ObjectId, string nor number: never compared
    strays = checker.stray_records(_all_docs(source, collection, ("string", "number")))  # few: legacy oddities
    low = None
    for docs, digest in _object_id_ranges(spec, collection, source, range_size, checker):
        if signal_name := interruption():  # a partial verify proves nothing: no result is stored
            raise Interrupted(f"{spec.name}/{collection} after {low or 'the start'}", signal_name)
        high = str(docs[-1]["_id"])
        strays_here = _pop_between(strays, low, high)
        if digest is not None and not strays_here and checker.same_digest(digest[:2], len(docs), low, high):
            parity.rendered_back(*digest[2:])  # the worker's render-back check of the range's documents
            low = high
            continue
        mongo = checker.mongo_records(list(docs))
        whole = digest is None and not (strays_here or len(mongo) < len(docs))  # (a worker's digest differed)
        if whole and checker.same_fingerprint(mongo, low, high):
            checker.equal_range(mongo)
        else:
            checker.compare(checker.merged(mongo, strays_here), checker.postgres_records(low, high))
        low = high
    while True:  # Postgres rows past the last Mongo document, and the strays beyond it
        postgres = checker.postgres_records(low, None, limit=range_size)
        high = max(postgres) if postgres else None
        mongo = _pop_between(strays, low, high) if high else strays
        if not postgres and not mongo:
            break
        checker.compare({key: record for key, (_, record) in mongo.items()}, postgres)
        if high is None:
            break
        low = high
    return parity


def _object_id_ranges(spec, collection: str, source: DocumentSource, range_size: int, checker: "_RangeChecker"):
    """(documents, their records' digest or None) per range of the ObjectId phase. Where the source hands
    batches over as raw BSON and a range's digest says all there is to compare, worker processes decode,
    transform and digest the ranges ahead (cutover.backfill.workers); None sends a range to the comparison
    here, as does a source without raw batches."""
    if checker.digests_in_workers(source):
        yield from read_ahead_in_workers(
            lambda after: source.raw_batch(collection, phase="objectId", after=after, limit=range_size),
            lambda pool, batch: submit_range_digest(pool, spec, collection, batch),
            lambda batch, digest: digest,
            None,
        )
        return
    after = None
    while docs := source.batch(collection, phase="objectId", after=after, limit=range_size):
        yield docs, None
        after = docs[-1]["_id"]


def _verify_elements_of(spec, collection, source, mongo: dict, postgres: dict, elements: dict) -> None:
    from cutover.backfill.element_parity import verify_elements

    both = [mongo[record_id] for record_id in sorted(mongo.keys() & postgres.keys())]
    verify_elements(spec, spec.record_map(collection), both, source.database, elements, CollectionParity)


class _RangeChecker:
    elements = None  # (mongo records, postgres records) -> None: compares their element records

    def __init__(self, spec: DomainSpec, collection: str, parity: CollectionParity):
        self.map = spec.record_map(collection)
        self.backend = spec.build_postgres_repository()
        self.lifetimes = spec.lifetimes(collection)
        self.fingerprint = RangeFingerprint(self.map, spec.postgres_model(collection))
        self.parity = parity
        self.acknowledged = _acknowledged_ids(collection)
        self.set_aside: set[str] = set()  # ids not compared (reported otherwise): not "missing in Mongo" either
        self.rechecker = Rechecker(spec, collection)

    def odd_ids(self, docs: list[dict]) -> None:
        self.parity.documents += len(docs)
        for doc in self._unacknowledged(docs):
            self.parity.unreadable_in_mongo[str(doc["_id"])] = f"_id {doc['_id']!r} is not an ObjectId"

    def stray_records(self, docs: list[dict]) -> dict[str, tuple[Any, Any]]:
        """String and number ids, by the id they normalize to: (the raw _id, the record). Two documents that
        normalize to one id ("x" and "X") are an id clash, never one silently replacing the other."""
        by_id: dict[str, list[tuple[Any, Any]]] = {}
        for doc in docs:  # one by one, so that each document is seen whatever transform does with clashes
            for record_id, record in self.mongo_records([doc]).items():
                by_id.setdefault(record_id, []).append((doc["_id"], record))
        for record_id, found in list(by_id.items()):
            if len(found) > 1:
                self._clash(record_id, [raw for raw, _ in found])
                del by_id[record_id]
        return {record_id: found[0] for record_id, found in by_id.items()}

    def merged(self, object_ids: dict[str, Any], strays: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
        """A range's ObjectId documents with its strays; one of each for an id is an id clash."""
        for record_id in object_ids.keys() & (strays.keys() | self.parity.id_clashes.keys()):
            del object_ids[record_id]
            self._clash(record_id, [ObjectId(record_id), *([strays.pop(record_id)[0]] if record_id in strays else [])])
        return object_ids | {record_id: record for record_id, (_, record) in strays.items()}

    def mongo_records(self, docs: list[dict]) -> dict[str, Any]:
        self.parity.documents += len(docs)
        out = transform(self.map, self._unacknowledged(docs))
        for reject in out.rejects:
            self.parity.unreadable_in_mongo[reject.record_id] = reject.reason
            self.set_aside |= {reject.record_id, reject.record_id.lower()}
        self.parity.rendered_back(*check_range(self.map, out.documents, out.records))
        return {r.id: r for r in out.records if not self._expired(r)}

    def postgres_records(self, low: str | None, high: str | None, limit: int | None = None) -> dict[str, Any]:
        records = self.backend.read_id_range(self.map.collection, low, high, limit)
        return {r.id: r for r in records if not self._expired(r)}

    def same_fingerprint(self, mongo: dict[str, Any], low: str | None, high: str) -> bool:
        """One digest query instead of reading the range's rows (cutover.backfill.fingerprint): True when
        the rows are exactly these records. Only for ranges where every document became a record."""
        if self.elements is not None:  # the parents' elements are compared only where records are
            return False
        if not self.fingerprint.fit or self.lifetimes or not mongo.keys().isdisjoint(self.parity.id_clashes):
            return False
        ours = self.fingerprint.of_records(mongo)
        return ours is not None and ours == self.fingerprint.of_rows(low, high)

    def digests_in_workers(self, source: DocumentSource) -> bool:
        """Ranges can be settled by a digest made in a worker: nothing in them needs a record here (no
        expiry, acknowledged rejects or element records) and the source hands batches over as raw BSON."""
        plain = self.fingerprint.fit and not self.lifetimes and not self.acknowledged and self.elements is None
        return plain and getattr(source, "raw_batches", False)

    def same_digest(self, digest: tuple[int, str | None], documents: int, low: str | None, high: str) -> bool:
        """A worker's digest of a range whose every document became a record (no reject, no id set aside):
        when the range's rows have the same one, its documents are counted as compared and equal."""
        if self.parity.id_clashes or digest != self.fingerprint.of_rows(low, high):
            return False
        self.parity.documents += documents
        self.parity.ranges += 1
        self.parity.compared += digest[0]
        return True

    def equal_range(self, mongo: dict[str, Any]) -> None:
        self.parity.ranges += 1
        self.parity.compared += len(mongo)

    def compare(self, mongo: dict[str, Any], postgres: dict[str, Any]) -> None:
        if self.elements is not None:
            self.elements(mongo, postgres)
        self.parity.ranges += 1
        self.parity.compared += len(mongo)
        if mongo == postgres:  # the range's fingerprint: equal ids, and records equal field by field
            return
        self.parity.ranges_differing += 1
        only_mongo = set(mongo) - set(postgres) - set(self.parity.unreadable_in_mongo)
        only_postgres = set(postgres) - set(mongo) - self.set_aside
        both = {record_id for record_id in set(mongo) & set(postgres) if mongo[record_id] != postgres[record_id]}
        suspects = sorted(only_mongo | only_postgres | both)
        again = self.rechecker.again(suspects)  # read again, under the fence and the copy locks
        for record_id in suspects:
            if record_id in again.unread:
                now_mongo, now_postgres = mongo.get(record_id), postgres.get(record_id)
            else:
                now_mongo, now_postgres = (
                    self._live(again.mongo.get(record_id)),
                    self._live(again.postgres.get(record_id)),
                )
            set_aside = record_id in self.set_aside and record_id not in again.in_flight
            if set_aside and now_mongo is None and now_postgres is not None:
                continue  # not compared: reported otherwise
            report_difference(self.parity, record_id, now_mongo, now_postgres, record_id in again.in_flight)

    def _live(self, record: Any) -> Any:
        return None if record is None or self._expired(record) else record

    def _unacknowledged(self, docs: list[dict]) -> list[dict]:
        """Documents to compare; those whose reject a user acknowledged are counted apart, never compared."""
        if not self.acknowledged:
            return docs
        kept = []
        for doc in docs:
            if _id_key(doc["_id"]) in self.acknowledged:
                self.parity.acknowledged.append(str(doc["_id"]))
                self.set_aside |= {str(doc["_id"]), str(doc["_id"]).lower()}
            else:
                kept.append(doc)
        return kept

    def _clash(self, record_id: str, raw_ids: list[Any]) -> None:
        """Report every _id that normalizes to `record_id` (strays may have clashed before the ObjectId came)."""
        known = set(self.parity.id_clashes.get(record_id, []))
        self.parity.id_clashes[record_id] = sorted(known | {repr(raw) for raw in raw_ids})
        self.set_aside.add(record_id)

    def _expired(self, record: Any) -> bool:
        """Not live on both sides now, or not for long: Mongo's TTL monitor deletes about a minute after
        expiry and the Postgres purges run on their schedule, so a record near or past its end may be in
        one store and not the other without anything being wrong. Only records with EXPIRY_MARGIN of life
        left are compared."""
        if not self.lifetimes:
            return False
        horizon = now_ms() + EXPIRY_MARGIN
        return any(getattr(record, field) + lifetime < horizon for field, lifetime in self.lifetimes)


def _acknowledged_ids(collection: str) -> set[str]:
    """The _ids (as canonical extended JSON, so ObjectId('x') and 'x' stay apart) of acknowledged rejects."""
    stored = (
        BackfillReject.objects.filter(collection=collection, status=BackfillReject.Status.ACKNOWLEDGED)
        .annotate(document_id=KeyTransform("_id", "document"))
        .values_list("document_id", flat=True)
    )
    return {json.dumps(value, sort_keys=True) for value in stored}


def _id_key(value: Any) -> str:
    return json.dumps(document_as_json({"_id": value})["_id"], sort_keys=True)


def _all_docs(source: DocumentSource, collection: str, phases: tuple[str, ...]) -> list[dict]:
    docs: list[dict] = []
    for phase in phases:
        after = None
        while batch := source.batch(collection, phase=phase, after=after, limit=1000):
            docs += batch
            after = batch[-1]["_id"]
    return docs


def _pop_between(records: dict[str, Any], low: str | None, high: str | None) -> dict[str, Any]:
    inside = [key for key in records if (low is None or key > low) and (high is None or key <= high)]
    return {key: records.pop(key) for key in inside}
