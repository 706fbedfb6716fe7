"""Loading records into Postgres: rows not there yet by COPY; the others by COPY into a staging
table, then one INSERT ... ON CONFLICT.

- A rerun changes nothing that is already right: rows are only rewritten when
  their content differs (IS DISTINCT FROM), so an unchanged rerun rewrites no row.
- No clock decides what loads: updatedAt values are written by different writers (the legacy
  application, our dual writes), so a row is rewritten from its document whenever they differ, as
  long as Mongo leads; a version going backwards is a legacy update like any other.
- Insert-only tables (the ledger) are only inserted into; an existing row that
  differs from its document is reported as a conflict, never updated.
- Child tables (dispute timeline, trezor addresses) are rewritten only for the
  parents that were written.
- A document whose parent row is missing is an orphan (cutover.backfill.admission); any other row the
  database refuses is isolated by retrying its batch one row at a time.
- Identity: a document whose id is held by a row of another document (an
  ObjectId `_id` and a string `_id` that normalize to the same 24 hex) is an
  id clash, rejected; the two are never merged into one row.
- Never revert newer data, in any collection, by the leader rather than by clocks:
  * each batch holds its domain's write fence (shared, cutover.modes.fence) until it commits and
    reads the live mode under it: a mode change waits for the batch, so a batch never writes as
    if Mongo led once Postgres does;
  * in every mode where app writes reach Postgres (all but `mongo`), a batch first
    takes its records' copy locks, the same per-record locks a mirror takes, then
    reads their documents again: a mirror of a newer write (or delete) either ran
    before, and the fresh read includes it, or waits and runs after the batch
    (in `mongo` mode nothing but the backfill writes these rows);
  * while Postgres leads (`dual`, `postgres`), existing rows are never written
    from Mongo, and a record with a mirror write still pending (Mongo is behind
    for it: an update or a delete not copied yet) is left alone; that is checked
    after the copy locks are held, so a delete committed meanwhile is seen.
- Rows whose documents are gone are removed by cutover.backfill.deletes, not here.
"""

from collections.abc import Callable
from typing import Any

import psycopg
from django.db import DataError, IntegrityError, connection, models, transaction

from cutover.backfill.admission import BatchAdmission, LoadResult
from cutover.backfill.rows import ANY_TEXT, adapt, row_builder, texts
from cutover.backfill.unique_holders import unique_holder
from cutover.mirror.copy import lock_record_copies
from cutover.modes.cache import current_mode
from cutover.modes.fence import hold_fence_shared
from cutover.modes.registry import DomainSpec
from cutover.modes.store_mode import StoreMode
from cutover.store.recordmap import Child

# What the database may refuse a row with; COPY raises psycopg's own errors (Django does not wrap it).
_REFUSED = (IntegrityError, DataError, psycopg.errors.IntegrityError, psycopg.errors.DataError)
_SQLSTATE_KINDS = {"23505": "unique_clash", "23503": "orphan", "23514": "bad_value", "23502": "bad_value"}


class RowsRefused(Exception):
    """The database refused a row of a batch loaded without a savepoint: its transaction is lost; run the
    batch again without `first_try`."""


class TableLoader(BatchAdmission):
    """Loads one collection's records. `reread` (records -> their documents' records as they are now)
    refreshes rows about to change while Mongo leads; while Postgres leads, the loader only inserts."""

    def __init__(
        self,
        spec: DomainSpec,
        collection: str,
        *,
        reread: Callable[[list[Any]], list[Any]] | None = None,
        documents_exist: Callable[[list[Any]], set] | None = None,
    ):
        self.spec = spec
        self.reread = reread
        self.documents_exist = documents_exist  # `_id`s -> those that still have a document
        self.postgres_leads = self.guarded = False
        self._held_ids: set[str] = set()  # the ids of the last clash check's records that have a row
        self._rows_found: set[str] | None = None  # the rows a batch's write may take as there (see load)
        self.map = spec.record_map(collection)
        self.model = spec.postgres_model(collection)
        self.table = self.model._meta.db_table
        self.pk = self.model._meta.pk.column
        self.fields = list(self.model._meta.concrete_fields)
        self.backend = spec.build_postgres_repository()

    def load(self, records: list[Any], *, first_try: bool = False) -> LoadResult:
        """`first_try`: the caller's transaction holds this batch alone and runs it again with
        `first_try=False` on RowsRefused: the write then needs no savepoint (two round trips a batch), and
        only a batch the database refuses is written again, in savepoints, to isolate what it refuses."""
        result = LoadResult()
        mode = fenced_live_mode(self.spec.name)  # per batch, fenced until it commits: the mode may move
        self.postgres_leads = mode.position >= StoreMode.DUAL.position
        # In every mode but `mongo`, app writes reach Postgres while this run reads Mongo.
        self.guarded = mode is not StoreMode.MONGO and self.reread is not None
        parents, held = self._parents_and_rows(records)  # one round trip for both checks
        records = self.without_orphans(records, result, parents)
        records = self.without_id_clashes(records, result, held)
        # In `mongo` mode nothing but this run writes these rows: the ids the clash check found are the
        # rows there are (one query less a batch). Anywhere else, and when isolating a refused row, ask.
        self._rows_found = self._held_ids if mode is StoreMode.MONGO else None
        if not records:
            return result
        if first_try:
            try:
                result.written += self._write(records, result)
            except _REFUSED as error:
                raise RowsRefused from error
            return result
        try:
            with transaction.atomic():
                result.written += self._write(records, result)
        except _REFUSED:
            self._rows_found = None
            for record in records:  # isolate what the database refuses
                self._write_one(record, result)
        return result

    def _write_one(self, record: Any, result: LoadResult) -> None:
        try:
            with transaction.atomic():
                result.written += self._write([record], result)
        except _REFUSED as error:
            sqlstate = getattr(_driver_error(error), "sqlstate", "")
            reason = _reason(error)
            if sqlstate == "23505":
                constraint = getattr(getattr(_driver_error(error), "diag", None), "constraint_name", None)
                holder = unique_holder(self.model, constraint, record)
                reason = f"{reason} (held by {self.map.collection}/{holder})" if holder else reason
            result.rejects.append((record.id, _SQLSTATE_KINDS.get(sqlstate, "database"), reason))

    def _write(self, records: list[Any], result: LoadResult) -> list[str]:
        """Rows not in the table yet go in by COPY alone (a first run's whole batch); the others through
        the staging table and the upsert, which decides whether they changed."""
        if self.guarded:
            records = self._as_they_are_now(records)
        with connection.cursor() as cursor:
            existing = self._rows_found
            if self.guarded or existing is None:
                existing = self._existing_ids(cursor, [record.id for record in records])
            new = [record for record in records if record.id not in existing]
            if self.postgres_leads:  # after the copy locks: a delete committed since the batch was read shows
                new = self.without_pending_mirrors(new)
            old = [record for record in records if record.id in existing]
            written = [record.id for record in new]
            if new:
                self._copy(cursor, self.table, new)
            if old and not self.postgres_leads:
                written += self._upsert(cursor, old)
        if self.map.insert_only:
            self._report_conflicts(old, set(written), result)
        if written and self.map.children:
            self._replace_children(records, set(written))
        return written

    def existing_ids(self, ids: list[str]) -> set[str]:
        with connection.cursor() as cursor:
            return self._existing_ids(cursor, ids)

    def _existing_ids(self, cursor, ids: list[str]) -> set[str]:
        cursor.execute(f'SELECT "{self.pk}" FROM "{self.table}" WHERE "{self.pk}" = {ANY_TEXT}', [texts(ids)])
        return {row[0] for row in cursor.fetchall()}

    def _upsert(self, cursor, records: list[Any]) -> list[str]:
        cursor.execute(
            f'DROP TABLE IF EXISTS "stage_{self.table}"; '  # one round trip for both
            f'CREATE TEMP TABLE "stage_{self.table}" (LIKE "{self.table}" INCLUDING DEFAULTS) ON COMMIT DROP'
        )
        self._copy(cursor, f"stage_{self.table}", records)
        cursor.execute(self._upsert_sql())
        return [row[0] for row in cursor.fetchall()]

    def _as_they_are_now(self, records: list[Any]) -> list[Any]:
        """Take the records' copy locks (see cutover.mirror.copy), then read their documents again: what a
        concurrent write changed or deleted since the batch was read is what gets loaded, or nothing."""
        lock_record_copies(self.map.collection, [record.id for record in records])
        wanted = {record.id for record in records}
        return [record for record in self.reread(records) if record.id in wanted]

    def without_pending_mirrors(self, records: list[Any]) -> list[Any]:
        """Records whose Postgres row has changes (or a delete) not yet copied to Mongo: Mongo is behind."""
        from cutover.models import MirrorOutboxEntry

        behind = set(
            MirrorOutboxEntry.objects.filter(
                domain=self.spec.name,
                collection=self.map.collection,
                record_id__in=[record.id for record in records],
                status__in=[MirrorOutboxEntry.Status.PENDING, MirrorOutboxEntry.Status.DEAD],
            ).values_list("record_id", flat=True)
        )
        return [record for record in records if record.id not in behind]

    def _copy(self, cursor, table: str, records: list[Any]) -> None:
        columns = ", ".join(f'"{f.column}"' for f in self.fields)
        row = row_builder(self.fields)
        with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            lines = [getattr(record, "copy_line", None) for record in records]
            if None not in lines:  # all prepared by a worker (cutover.backfill.workers): one write
                copy.write(b"".join(lines))
                return
            for record, line in zip(records, lines, strict=True):  # (the order of a COPY's rows does not matter)
                if line is None:
                    copy.write_row(row(record))
                else:
                    copy.write(line)

    def _upsert_sql(self) -> str:
        columns = [f'"{f.column}"' for f in self.fields]
        insert = (
            f'INSERT INTO "{self.table}" AS t ({", ".join(columns)}) '
            f'SELECT {", ".join(columns)} FROM "stage_{self.table}" '
        )
        if self.map.insert_only:
            return insert + f'ON CONFLICT ("{self.pk}") DO NOTHING RETURNING t."{self.pk}"'
        others = [c for c in columns if c != f'"{self.pk}"']
        assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in others)
        changed = self._changed_condition("EXCLUDED")
        return insert + f'ON CONFLICT ("{self.pk}") DO UPDATE SET {assignments} WHERE {changed} RETURNING t."{self.pk}"'

    def _changed_condition(self, incoming: str) -> str:
        """SQL: the row `t` differs from the `incoming` one (whatever their clocks say: see the docstring)."""
        others = [f'"{f.column}"' for f in self.fields if f.column != self.pk]
        theirs = ", ".join(f"{incoming}.{c}" for c in others)
        return f"({', '.join('t.' + c for c in others)}) IS DISTINCT FROM ({theirs})"

    def _report_conflicts(self, records: list[Any], written: set[str], result: LoadResult) -> None:
        existing = [record for record in records if record.id not in written]
        if not existing:
            return
        stored = {r.id: r for r in self.backend.read_ids(self.map.collection, tuple(r.id for r in existing))}
        for record in existing:
            if stored.get(record.id) != record:
                result.rejects.append(
                    (
                        record.id,
                        "conflict",
                        f"{self.table} row {record.id} differs from its document; insert-only rows are never updated",
                    )
                )

    def _replace_children(self, records: list[Any], written: set[str]) -> None:
        parents = [record for record in records if record.id in written]
        for child in self.map.children:
            model = _model(child)
            model.objects.filter(**{f"{child.parent_field}_id__in": [p.id for p in parents]}).delete()
            child_fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            columns = ", ".join(f'"{f.column}"' for f in child_fields)
            with (
                connection.cursor() as cursor,
                cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy,
            ):
                for parent in parents:
                    for position, item in enumerate(getattr(parent, child.name)):
                        values = child.map.row_values(item) | {
                            f"{child.parent_field}_id": parent.id,
                            "position": position,
                        }
                        copy.write_row([adapt(f, values[f.attname]) for f in child_fields])



def fenced_live_mode(domain: str) -> StoreMode:
    """The domain's mode as stored now, read under its write fence held (shared) until the caller's
    transaction ends; a domain with no stored mode yet has its configured one (nothing can change it)."""
    return hold_fence_shared(domain) or current_mode(domain)


def live_mode(domain: str) -> StoreMode:
    """The domain's mode as stored now, not as this process cached it (CUTOVER_MODE_CACHE_SECONDS): a
    batch must not write as if Mongo led after the domain moved on."""
    from cutover.models import DomainStoreMode

    stored = DomainStoreMode.objects.filter(domain=domain).values_list("mode", flat=True).first()
    return StoreMode(stored) if stored else current_mode(domain)


def _model(child: Child) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(child.model)


def _driver_error(error: Exception) -> Exception:
    return error.__cause__ if isinstance(error.__cause__, psycopg.Error) else error


def _reason(error: Exception) -> str:
    """The database's message and its detail (which names the clashing key and value); never a check
    constraint's "Failing row contains (...)": that is every column of the row, secrets included (the
    constraint's name in the message says what failed)."""
    diag = getattr(_driver_error(error), "diag", None)
    detail = getattr(diag, "message_detail", None) or ""
    parts = [
        getattr(diag, "message_primary", None) or str(error).strip() or type(error).__name__,
        "" if detail.startswith("Failing row contains") else detail,
    ]
    return " ".join(part for part in parts if part)[:1000]
