"""Legacy documents to records, through the domain's RecordMap: the same translation the
repositories use. A document that cannot be translated becomes a Reject, never an exception."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bson import json_util

from cutover.store.converters import document_reader
from cutover.store.legacy import LegacyValueError
from cutover.store.recordmap import RecordMap


@dataclass(frozen=True)
class Reject:
    record_id: str  # the document's _id as text
    kind: str  # bad_id, bad_value, orphan, unique_clash, conflict, database
    reason: str
    document: dict

    @staticmethod
    def of(doc: dict, kind: str, reason: str) -> "Reject":
        # record_id stays whole: rejects.storable_record_id fits it to its column without merging two
        return Reject(str(doc.get("_id")), kind, _without_nul(reason)[:2000], document_as_json(doc))


@dataclass
class Transformed:
    records: list[Any] = field(default_factory=list)
    documents: dict[str, dict] = field(default_factory=dict)  # record id -> its source document
    rejects: list[Reject] = field(default_factory=list)
    skipped: int = 0  # expired documents of short-lived collections


def transform(
    record_map: RecordMap, docs: list[dict], *, skip_expired_field: str | None = None, now: datetime | None = None
) -> Transformed:
    out = Transformed()
    read = document_reader(record_map)  # record_map.from_document, precompiled
    for doc in docs:
        try:
            record = read(doc)
        except LegacyValueError as error:
            kind = "bad_id" if error.field == "_id" else "bad_value"
            out.rejects.append(Reject.of(doc, kind, str(error)))
            continue
        except Exception as error:  # no value may stop a run: whatever a parser missed is a reject too
            out.rejects.append(Reject.of(doc, "bad_value", f"unreadable document: {type(error).__name__}: {error}"))
            continue
        if skip_expired_field and now and getattr(record, skip_expired_field) < now:
            out.skipped += 1
            continue
        if record.id in out.documents:
            out.rejects.append(
                Reject.of(
                    doc,
                    "unique_clash",
                    f"_id {record.id} is also used by another document (one stored as an ObjectId, one as a string)",
                )
            )
            continue
        out.records.append(record)
        out.documents[record.id] = doc
    return out


def document_as_json(doc: dict) -> dict:
    """The document as relaxed extended JSON: storable in a JSONField and readable by people.

    PostgreSQL's jsonb cannot hold a NUL character, so one in any string is kept visibly escaped
    (as the six characters \\u0000): a reject must store whatever document made it one."""
    return _without_nul(json.loads(json_util.dumps(doc, json_options=json_util.RELAXED_JSON_OPTIONS)))


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\\u0000")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value
