"""Which records of a batch may load: a record whose parent row is missing is an orphan, one whose id a
row of another document holds is an id clash; both are rejected with their reason, never loaded. One
query answers both checks (the parents by foreign key and the rows already holding the batch's ids).

BatchAdmission is the loader's part that decides this (cutover.backfill.load.TableLoader); it reads the
loader's `fields`, `model`, `table`, `pk`, `map` and `documents_exist`."""

from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId
from django.db import connection

from cutover.backfill.rows import ANY_TEXT, texts


@dataclass
class LoadResult:
    written: list[str] = field(default_factory=list)
    rejects: list[tuple[str, str, str]] = field(default_factory=list)  # (record id, kind, reason)


class BatchAdmission:
    _held_ids: set[str]  # the ids of the last clash check's records that have a row

    def without_id_clashes(
        self, records: list[Any], result: LoadResult, held: dict[str, str | None] | None = None
    ) -> list[Any]:
        """Reject records whose id a row of another document holds (its `_id` of another BSON type).
        `held`: the rows' legacy ids by id, if already read (_parents_and_rows)."""
        if held is None:
            held = self._parents_and_rows(records, parents=False)[1]
        self._held_ids = set(held)
        clashes = {r.id for r in records if r.id in held and held[r.id] != r.legacy_id}
        clashes -= self._ids_whose_held_document_is_gone(clashes, held)
        for record in records:
            if record.id in clashes:
                result.rejects.append((record.id, "unique_clash", _id_clash_reason(record, held[record.id])))
        return [record for record in records if record.id not in clashes]

    def _ids_whose_held_document_is_gone(self, ids: set[str], held: dict[str, str | None]) -> set[str]:
        """A row's document that no longer exists under its old `_id` was renamed (a legacy clean-up turned
        "x" into ObjectId(x)): the document now read under the other `_id` is the same record, not a clash."""
        if not ids or self.documents_exist is None:
            return set()
        forms = {
            record_id: (held[record_id] if held[record_id] is not None else ObjectId(record_id)) for record_id in ids
        }
        still_there = self.documents_exist(list(forms.values()))
        return {record_id for record_id, form in forms.items() if form not in still_there}


    def without_orphans(self, records: list[Any], result: LoadResult, found: dict[str, set] | None = None) -> list[Any]:
        """Drop (and reject) records whose parent row does not exist: one query for every foreign key.
        `found`: the parent ids found by foreign key, if already read (_parents_and_rows)."""
        fks = [f for f in self.fields if f.is_relation]
        wanted = {fk.attname: {getattr(r, fk.attname) for r in records} - {None} for fk in fks}
        if found is None:
            found = self._parents_and_rows(records, rows=False)[0]
        batch_ids = {record.id for record in records}
        mapped = {f.name: f.key for f in self.map.fields}
        orphans: dict[str, str] = {}
        for fk in fks:
            present = found[fk.attname] | (batch_ids if fk.related_model is self.model else set())
            if present.issuperset(wanted[fk.attname]):  # every parent there: no record to look at
                continue
            for record in records:
                value = getattr(record, fk.attname)
                if value is not None and value not in present and record.id not in orphans:
                    orphans[record.id] = (
                        f"orphan: {mapped.get(fk.attname, fk.attname)} {value} not found in "
                        f"{fk.related_model._meta.db_table}"
                    )
        result.rejects += [(record_id, "orphan", reason) for record_id, reason in orphans.items()]
        return [record for record in records if record.id not in orphans]

    def _parents_and_rows(
        self, records: list[Any], *, parents: bool = True, rows: bool = True
    ) -> tuple[dict[str, set], dict[str, str | None]]:
        """In one query: the parent ids found for the records' foreign keys (attname -> ids), and the rows
        already holding the records' ids (id -> its legacy id)."""
        fks = [f for f in self.fields if f.is_relation] if parents else []
        wanted = {fk.attname: sorted({getattr(r, fk.attname) for r in records} - {None}) for fk in fks}
        branches, params = [], []
        if rows:
            branches.append(
                f'SELECT NULL, "{self.pk}"::text, legacy_id FROM "{self.table}" WHERE "{self.pk}" = {ANY_TEXT}'
            )
            params.append(texts([record.id for record in records]))
        for fk in (fk for fk in fks if wanted[fk.attname]):
            parent, key = fk.related_model._meta.db_table, fk.related_model._meta.pk.column
            branches.append(f'SELECT %s, "{key}"::text, NULL FROM "{parent}" WHERE "{key}" = {ANY_TEXT}')
            params += [fk.attname, texts(wanted[fk.attname])]
        found: dict[str, set] = {fk.attname: set() for fk in fks}
        held: dict[str, str | None] = {}
        if branches:
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join(branches), params)
                for attname, record_id, legacy_id in cursor.fetchall():
                    if attname is None:
                        held[record_id] = legacy_id
                    else:
                        found[attname].add(record_id)
        return found, held


def _id_clash_reason(record: Any, held_by: str | None) -> str:
    ours = f"string _id {record.legacy_id!r}" if record.legacy_id is not None else f"ObjectId _id {record.id}"
    theirs = f"the string _id {held_by!r}" if held_by is not None else f"ObjectId('{record.id}')"
    return (
        f"id clash: this document ({ours}) and the document with {theirs} both normalize to {record.id}; "
        f"the row holds the other one. Give one of them a new _id, or delete it, and rerun."
    )
