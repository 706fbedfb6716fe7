"""Reject records: each document that could not be migrated as it is, with the reason.
The run goes on; a later run retries the open ones, and resolves those that now load."""

import hashlib
import json
from collections.abc import Callable

from bson import json_util
from django.db import transaction
from django.utils import timezone

from cutover.backfill.load import LoadResult, TableLoader
from cutover.backfill.orphans import explain_orphans
from cutover.backfill.source import DocumentSource
from cutover.backfill.transform import Reject, Transformed, transform
from cutover.models import BackfillReject, BackfillRun
from cutover.models.backfill import RECORD_ID_CHARS
from cutover.modes.registry import DomainSpec
from cutover.store.legacy import now_ms

_RETRY_CHUNK = 500
# Rows whose document was deleted from Mongo but that stay (cutover.backfill.deletes): an insert-only entry,
# a row other rows still reference. Never retried as documents (there is none), never resolved as "gone".
ROW_STAYS = ("deleted_entry", "still_referenced")


def save_batch_outcome(
    spec: DomainSpec,
    collection: str,
    run: BackfillRun,
    out: Transformed,
    result: LoadResult,
    *,
    resolve_earlier: bool = True,
) -> int:
    """Record this batch's rejects and resolve earlier ones that now loaded; return how many were rejected."""
    refused = [Reject.of(out.documents[record_id], kind, reason) for record_id, kind, reason in result.rejects]
    orphans = [reject for reject in refused if reject.kind == "orphan"]
    # Parents first: an orphan of a parent rejected in this very batch (a category's parentId) can then name it.
    for reject in out.rejects + [reject for reject in refused if reject.kind != "orphan"]:
        _record(spec, collection, run, reject, reject.reason, blocked_by="")
    explained = explain_orphans(spec, collection, {r.id: r for r in out.records}, [o.record_id for o in orphans])
    for reject in orphans:
        why = explained.get(reject.record_id)
        _record(
            spec,
            collection,
            run,
            reject,
            why.reason if why else reject.reason,
            blocked_by=why.blocked_by if why else "",
        )
    refused_ids = {record_id for record_id, _, _ in result.rejects}
    if not resolve_earlier:
        return len(out.rejects) + len(refused)
    # A reject is keyed by the document's _id as written ("64AB…" for an upper-case string id), a record by
    # the normalized id: resolve by both.
    loaded = [
        key
        for record in out.records
        if record.id not in refused_ids
        for key in (record.id, record.legacy_id)
        if key is not None
    ]
    if loaded:
        BackfillReject.objects.filter(
            collection=collection, record_id__in=loaded, status__in=BackfillReject.UNRESOLVED
        ).update(status=BackfillReject.Status.RESOLVED, resolved_at=timezone.now())
    return len(out.rejects) + len(refused)


def reject_row_that_stays(
    spec: DomainSpec, collection: str, run: BackfillRun | None, doc: dict, kind: str, reason: str
) -> None:
    """An open reject for a row whose document was deleted from Mongo but which cannot go (`kind` in
    ROW_STAYS, cutover.backfill.deletes); `doc` is the row as its document, kept for the operator."""
    _record(spec, collection, run, Reject.of(doc, kind, reason), reason, blocked_by="")


def storable_record_id(text: str) -> str:
    """A legacy _id as reject.record_id: any string can be an _id, but a column has a length and no NUL.
    A long one keeps its start (for people) and a hash of the whole (so two never share a reject)."""
    text = text.replace("\x00", "\\x00")
    if len(text) <= RECORD_ID_CHARS:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{text[: RECORD_ID_CHARS - 19]}…#{digest}"


def _record(
    spec: DomainSpec, collection: str, run: BackfillRun, reject: Reject, reason: str, *, blocked_by: str
) -> None:
    """One unresolved reject per document. An acknowledgement covers the document as it was acknowledged:
    the same document rejected again stays acknowledged; a changed one is open again, for a new look."""
    record_id = storable_record_id(reject.record_id)
    existing = BackfillReject.objects.filter(
        collection=collection, record_id=record_id, status__in=BackfillReject.UNRESOLVED
    ).first()
    if existing and existing.status == BackfillReject.Status.ACKNOWLEDGED and existing.document == reject.document:
        return
    row = existing or BackfillReject(collection=collection, record_id=record_id)
    row.run, row.domain, row.kind, row.reason = run, spec.name, reject.kind, reason
    row.document, row.blocked_by, row.status = reject.document, blocked_by, BackfillReject.Status.OPEN
    row.acknowledged_by, row.acknowledged_by_name, row.acknowledged_at, row.acknowledgement_reason = None, "", None, ""
    row.save()


def reject_other_ids(spec: DomainSpec, collection: str, source: DocumentSource, run: BackfillRun) -> int:
    """Documents whose _id is neither an ObjectId nor a string nor a number are never read by the
    keyset phases: report each rather than drop it silently."""
    docs = source.other_ids(collection)
    with transaction.atomic():
        save_batch_outcome(
            spec,
            collection,
            run,
            Transformed(rejects=[Reject.of(doc, "bad_id", f"_id {doc['_id']!r} is not an ObjectId") for doc in docs]),
            LoadResult(),
        )
    return len(docs)


def retry_open_rejects(
    spec: DomainSpec,
    collection: str,
    source: DocumentSource,
    run: BackfillRun,
    loader: TableLoader,
    after_batch: Callable[[Transformed, LoadResult], None] | None = None,
) -> int:
    """Try the open rejects of earlier runs again (their data may have been fixed); return how many loaded."""
    earlier = (
        BackfillReject.objects.filter(collection=collection, status__in=BackfillReject.UNRESOLVED)
        .exclude(run=run)
        .exclude(kind__in=ROW_STAYS)  # their document is gone on purpose: the delete sweep settles them
    )
    resolved = 0
    ids = [_original_id(reject.document) for reject in earlier.only("document")]
    expiry = dict(spec.backfill_skips_expired).get(collection)
    for start in range(0, len(ids), _RETRY_CHUNK):
        chunk = ids[start : start + _RETRY_CHUNK]
        docs = source.find(collection, chunk)
        _resolve_gone(
            collection, {storable_record_id(str(i)) for i in chunk} - {storable_record_id(str(d["_id"])) for d in docs}
        )
        out = transform(spec.record_map(collection), docs, skip_expired_field=expiry, now=now_ms())
        with transaction.atomic():
            result = loader.load(out.records)
            save_batch_outcome(spec, collection, run, out, result)
        if after_batch is not None:  # e.g. the embedded records of the parents that loaded now
            after_batch(out, result)
        resolved += len(result.written) + (len(out.records) - len(result.written) - len(result.rejects))
    return resolved


def _resolve_gone(collection: str, record_ids: set[str]) -> None:
    """A rejected document deleted from Mongo since has nothing left to migrate."""
    if record_ids:
        BackfillReject.objects.filter(
            collection=collection, record_id__in=record_ids, status__in=BackfillReject.UNRESOLVED
        ).update(status=BackfillReject.Status.RESOLVED, resolved_at=timezone.now(), reason="document no longer exists")


def _original_id(document: dict):
    """The _id with its BSON type back (ObjectId, string or number), to find the document again."""
    return json_util.loads(json.dumps({"_id": document.get("_id")}))["_id"]
