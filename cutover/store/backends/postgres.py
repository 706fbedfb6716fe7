"""The storage primitives of every Postgres repository, driven by the domain's RecordMaps
and Django models (model attnames are the record field names)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, ClassVar

from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Sum
from django.db.models.lookups import Exact

from cutover.store.backends.errors import ImmutableRecordConflict, RecordNotFound, UniqueConflict
from cutover.store.clocks import note_backwards_version
from cutover.store.filters import Between, Filters, Gt, In, Lt, NotIn, SameKey
from cutover.store.folded_keys import fold_expression, folded_key
from cutover.store.ports import StoreRepository
from cutover.store.recordmap import Child, RecordMap

_sole_write: ContextVar[bool] = ContextVar("sole_write", default=False)


@contextmanager
def as_sole_write() -> Iterator[None]:
    """Inside, a use case's own unit of work joins the caller's transaction instead of opening a savepoint.
    For a caller whose transaction holds this one write and fails whole if it fails: the dual write's fence
    (cutover.mirror.dual), where the savepoint and its release were two of the write's extra round trips.
    No use case catches its own primitives' errors and carries on (such code would get Django's loud
    "error in the current transaction", never a half-written record)."""
    token = _sole_write.set(True)
    try:
        yield
    finally:
        _sole_write.reset(token)


def hold_writer_lock(lock_key: str) -> None:
    """Serialize this system's writers on `lock_key` until the current transaction ends (a Postgres advisory
    lock): the unit of work of either backend takes it, so two writers of one balance wait for each other
    whichever store leads and whichever mode a process with a stale cache believes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [lock_key])


def _unit_of_work():
    return transaction.atomic(savepoint=not _sole_write.get())


class PostgresBackend(StoreRepository):
    """The primitives in Postgres; a domain's Postgres repository is (PostgresBackend, its port)."""

    store: ClassVar[str] = "postgres"
    MAPS: ClassVar[tuple[RecordMap, ...]]

    # --- sync primitives -------------------------------------------------------
    def get_snapshot(self, collection: str, record_id: str) -> Any | None:
        record_map = self._map_of_collection(collection)
        row = self._rows(record_map).filter(pk=record_id).first()
        return record_map.from_row(row) if row else None

    @transaction.atomic
    def put_snapshot(self, record: Any) -> None:
        """Make the row read as `record`. No clock decides: the caller (a copy under the record's copy lock,
        cutover.mirror.copy) read `record` from the leading store just now, so it is the truth; an updatedAt
        that goes backwards is reported (cutover.store.clocks), never a reason to keep the row."""
        record_map = self._map(type(record))
        model = self._model(record_map)
        if record_map.insert_only:
            self._put_insert_only(record_map, record)
            return
        stored = model.objects.select_for_update().filter(pk=record.id).first()
        if stored is not None and record_map.version_field:
            note_backwards_version(record_map, record, getattr(stored, record_map.version_field))
        model(**record_map.row_values(record)).save(force_insert=stored is None)
        self._replace_children(record_map, record)

    def _put_insert_only(self, record_map, record: Any) -> None:
        """Insert, or find the same record there. No row lock: FOR UPDATE needs the UPDATE privilege, which
        the runtime role does not hold on an append-only table (escrow_project/db_roles.py); a concurrent insert of
        the same id is caught as the primary key's violation instead."""
        model = self._model(record_map)
        if not model.objects.filter(pk=record.id).exists():
            try:
                with transaction.atomic():  # a savepoint: the comparison below still runs after a lost race
                    model(**record_map.row_values(record)).save(force_insert=True)
                    self._replace_children(record_map, record)
                return
            except IntegrityError:
                if not model.objects.filter(pk=record.id).exists():
                    raise  # another constraint, not a concurrent insert of this record
        if self.get_snapshot(record_map.collection, record.id) != record:
            raise ImmutableRecordConflict(record_map.collection, record.id)

    def delete_snapshot(self, collection: str, record_id: str, *, spare: frozenset[str] = frozenset()) -> None:
        self._model(self._map_of_collection(collection)).objects.filter(pk=record_id).delete()

    def purge_batch(self, collection: str, field: str, before: Any, limit: int, after: Any = None) -> tuple[int, Any]:
        """Two short statements over the index on `field`: find the `limit`-th oldest value (an index-only
        walk), then delete the range up to it (one index walk; rows on the boundary value all go in this
        batch). Measured (bench/purge.py): one statement that also returned each deleted row to count it
        cost ~60% more per row than this pair, and a transaction around the pair two more round trips."""
        model = self._model(self._map_of_collection(collection))
        table, column = model._meta.db_table, model._meta.get_field(field).column
        window = f'"{column}" < %(before)s' + (f' AND "{column}" > %(after)s' if after is not None else "")
        params = {"before": before, "after": after, "skip": limit - 1}
        with connection.cursor() as cursor:
            boundary_sql = f'SELECT "{column}" FROM "{table}" WHERE {window} ORDER BY "{column}"'
            cursor.execute(boundary_sql + " OFFSET %(skip)s LIMIT 1", params)
            boundary = cursor.fetchone()
            upper = boundary[0] if boundary else before
            # Deleting again what a crash lost is harmless, so the DELETE's commit need not wait for the disk (a
            # flush per batch was most of what batches cost over one DELETE): set_config(..., true) lasts for
            # this statement's own transaction and rides in it (a CTE of one row joined once).
            cursor.execute(
                f"WITH durability AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true)) "
                f'DELETE FROM "{table}" USING durability WHERE {window} AND "{column}" <= %(upper)s',
                params | {"upper": upper},
            )
            return cursor.rowcount, (upper if boundary else None)  # no boundary: the window held less than a batch

    # --- primitives the ports' use cases are written on ----------------------
    def _get(self, record_type: type, record_id: str) -> Any | None:
        return self.get_snapshot(self._map(record_type).collection, record_id)

    def _find(
        self, record_type: type, filters: Filters, *, order: tuple[str, ...] = ("-id",), limit: int | None = None
    ) -> list[Any]:
        record_map = self._map(record_type)
        if not record_map.children:  # plain rows: tuples straight into records, no model instances (verify's hot path)
            names = record_map.column_names
            rows = self._model(record_map).objects.filter(_q(filters)).order_by(*order).values_list(*names)
            return [record_type(**dict(zip(names, row, strict=True))) for row in (rows[:limit] if limit else rows)]
        rows = self._rows(record_map).filter(_q(filters)).order_by(*order)
        if limit:
            rows = rows[:limit]
        return [record_map.from_row(row) for row in rows]

    def _count(self, record_type: type, filters: Filters) -> int:
        return self._model(self._map(record_type)).objects.filter(_q(filters)).count()

    def _insert(self, record: Any) -> None:
        record_map = self._map(type(record))
        record_map.check(record)
        with _unique_conflicts(), _unit_of_work():
            self._model(record_map)(**record_map.row_values(record)).save(force_insert=True)
            self._replace_children(record_map, record)

    def _update(self, record_type: type, record_id: str, change: Callable[[Any], Any]) -> Any:
        with _unique_conflicts(), _unit_of_work():
            return self._update_locked(record_type, record_id, change)

    def _update_locked(self, record_type: type, record_id: str, change: Callable[[Any], Any]) -> Any:
        record_map = self._map(record_type)
        row = self._rows(record_map).select_for_update(of=("self",)).filter(pk=record_id).first()
        if row is None:
            raise RecordNotFound(record_type, record_id)
        before = record_map.from_row(row)
        after = change(before)
        if after == before:
            return after
        record_map.check(after)
        values = record_map.row_values(after)
        changed = [name for name, value in values.items() if value != getattr(row, name)]
        if changed:
            self._model(record_map)(**values).save(update_fields=changed)
        for child in record_map.children:
            self._save_grown_children(child, before, after)
        return after

    def _delete(self, record_type: type, record_id: str) -> None:
        self.delete_snapshot(self._map(record_type).collection, record_id)

    def _sum(self, record_type: type, field: str, filters: Filters) -> Decimal:
        total = self._model(self._map(record_type)).objects.filter(_q(filters)).aggregate(total=Sum(field))["total"]
        return total if total is not None else Decimal(0)

    @contextmanager
    def _atomic(self, lock_key: str | None = None):
        with _unit_of_work():
            if lock_key:
                hold_writer_lock(lock_key)
            yield

    # --- helpers ---------------------------------------------------------------

    def _model(self, record_map: RecordMap) -> type[models.Model]:
        return apps.get_model(record_map.model)

    def _rows(self, record_map: RecordMap) -> models.QuerySet:
        rows = self._model(record_map).objects.all()
        if record_map.children:
            rows = rows.prefetch_related(*(child.name for child in record_map.children))
        return rows

    def _replace_children(self, record_map: RecordMap, record: Any) -> None:
        for child in record_map.children:
            model = apps.get_model(child.model)
            model.objects.filter(**{f"{child.parent_field}_id": record.id}).delete()
            model.objects.bulk_create(_child_rows(child, record, start=0))

    def _save_grown_children(self, child: Child, before: Any, after: Any) -> None:
        old, new = getattr(before, child.name), getattr(after, child.name)
        if new == old:
            return
        model = apps.get_model(child.model)
        if new[: len(old)] != old:  # rewritten, not just grown
            model.objects.filter(**{f"{child.parent_field}_id": after.id}).delete()
            model.objects.bulk_create(_child_rows(child, after, start=0))
        else:
            model.objects.bulk_create(_child_rows(child, after, start=len(old)))


def _child_rows(child: Child, record: Any, *, start: int) -> list[models.Model]:
    model = apps.get_model(child.model)
    items = getattr(record, child.name)
    return [
        model(**{f"{child.parent_field}_id": record.id, "position": position}, **child.map.row_values(item))
        for position, item in enumerate(items[start:], start=start)
    ]


def _q(filters: Filters) -> models.Q:
    query = models.Q()
    for name, condition in filters.items():
        if isinstance(condition, Lt):
            query &= models.Q(**{f"{name}__lt": condition.value})
        elif isinstance(condition, Gt):
            query &= models.Q(**{f"{name}__gt": condition.value})
        elif isinstance(condition, In):
            query &= models.Q(**{f"{name}__in": condition.values})
        elif isinstance(condition, Between):
            if condition.low is not None:
                query &= models.Q(**{f"{name}__gt": condition.low})
            if condition.high is not None:
                query &= models.Q(**{f"{name}__lte": condition.high})
        elif isinstance(condition, NotIn):
            query &= ~models.Q(**{f"{name}__in": condition.values})
        elif isinstance(condition, SameKey):
            query &= models.Q(Exact(fold_expression(name), folded_key(condition.value, name)))
        elif condition is None:
            query &= models.Q(**{f"{name}__isnull": True})
        else:
            query &= models.Q(**{name: condition})
    return query


@contextmanager
def _unique_conflicts():
    """A unique violation becomes UniqueConflict, as Mongo's duplicate key does, so ports see one error."""
    try:
        yield
    except IntegrityError as error:
        diag = getattr(error.__cause__, "diag", None)
        if getattr(error.__cause__, "sqlstate", None) == "23505":
            raise UniqueConflict(f"{diag.table_name}: {diag.message_detail or diag.constraint_name}") from error
        raise
