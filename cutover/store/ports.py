"""What every domain port shares, so the generic machinery can drive it.

A domain port (an ABC in `<app>/repositories/base.py`) subclasses
StoreRepository, names its RecordMaps, and sorts each public method into
WRITE_METHODS or READ_METHODS; the dual wrapper routes by that. A write method
returns the record it changed, or a list of them in the order they were written,
which names what to mirror and in which order; None or [] when it changed nothing.
The use cases are written once in the port on the primitives below; the
backends (cutover.store.backends.mongo / .postgres) supply the primitives.
"""

import dataclasses
import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any, ClassVar

from cutover.store.backends.errors import UniqueConflict
from cutover.store.filters import Between, Filters, In
from cutover.store.legacy import next_moment
from cutover.store.recordmap import RecordMap

# Per-store primitives the machinery calls on a backend directly (never through the dual wrapper).
STORE_METHODS = frozenset(
    {
        "get_snapshot",
        "put_snapshot",
        "delete_snapshot",
        "purge_batch",
        "purge_undated",
        "read_id_range",
        "read_ids",
        "count_all",
    }
)


class StoreRepository(ABC):
    WRITE_METHODS: ClassVar[frozenset[str]] = frozenset()
    READ_METHODS: ClassVar[frozenset[str]] = frozenset()
    MAPS: ClassVar[tuple[RecordMap, ...]] = ()
    store: ClassVar[str] = ""  # "mongo" or "postgres" on a backend
    # How a use case that claims a unique value (a new user's email) asks the other store: `ask(taken)` returns
    # (the holder or None, " (in the <store> store)"). Set by the composition point (cutover.factory) on the
    # repository serving the app's writes; None on the copies mirrors, backfill and verify use, which copy a
    # record rather than claim a value.
    ask_other_store: Callable[[Callable[["StoreRepository"], Any]], tuple[Any, str]] | None = None

    @classmethod
    def collection_of(cls, record: Any) -> str:
        for record_map in cls.MAPS:
            if record_map.record_type is type(record):
                return record_map.collection
        raise TypeError(f"{cls.__name__} has no collection for {type(record).__name__}")

    def _map(self, record_type: type) -> RecordMap:
        for record_map in self.MAPS:
            if record_map.record_type is record_type:
                return record_map
        raise LookupError(f"{type(self).__name__} stores no {record_type.__name__}")

    def _map_of_collection(self, collection: str) -> RecordMap:
        for record_map in self.MAPS:
            if record_map.collection == collection:
                return record_map
        raise LookupError(f"{type(self).__name__} has no collection {collection!r}")

    # --- per-store primitives ------------------------------------------------------
    @abstractmethod
    def get_snapshot(self, collection: str, record_id: str) -> Any | None:
        """The stored record, whatever its state (expired included), or None."""

    @abstractmethod
    def put_snapshot(self, record: Any) -> None:
        """Make the stored copy equal `record`. No clock is compared: the caller read `record` from the leading
        store under the record's copy lock (cutover.mirror.copy), so it is the truth."""

    @abstractmethod
    def delete_snapshot(self, collection: str, record_id: str, *, spare: frozenset[str] = frozenset()) -> None:
        """Remove the record (the source no longer has it). Missing is fine. `spare`: legacy `_id`s (as text)
        of documents that are not this record although their id normalizes to it (a rejected clash twin)."""

    @abstractmethod
    def purge_batch(self, collection: str, field: str, before: Any, limit: int, after: Any = None) -> tuple[int, Any]:
        """Delete about `limit` of the oldest records whose `field` is before `before`.

        Returns (how many, a position): the caller passes the position back as
        `after`, so each batch starts where the last one ended instead of stepping
        again over what it deleted (in Postgres, dead index entries until VACUUM).
        The position is None once the batch found fewer than `limit` records: nothing
        is left. (Not "fewer deleted than `limit`": a writer deleting one of the batch's
        records meanwhile would end the purge with expired records left behind.)"""

    def purge_undated(self, collection: str, field: str, before: Any) -> int:
        """Delete the records before `before` whose stored `field` a range over dates cannot find; return how
        many. Postgres stores every date typed, so there are none; Mongo overrides this."""
        return 0

    def read_id_range(self, collection: str, low: str | None, high: str | None, limit: int | None = None) -> list:
        """Records of `collection` with low <= id <= high (None: unbounded), in id order (backfill, verify)."""
        record_type = self._map_of_collection(collection).record_type
        return self._find(record_type, {"id": Between(low, high)}, order=("id",), limit=limit)

    def read_ids(self, collection: str, ids: tuple[str, ...]) -> list:
        """The stored records of `collection` among `ids`, in no particular order."""
        return self._find(self._map_of_collection(collection).record_type, {"id": In(tuple(ids))})

    def count_all(self, collection: str) -> int:
        return self._count(self._map_of_collection(collection).record_type, {})

    # --- primitives the use cases are written on -------------------------------------
    @abstractmethod
    def _get(self, record_type: type, record_id: str) -> Any | None: ...

    @abstractmethod
    def _find(
        self, record_type: type, filters: Filters, *, order: tuple[str, ...] = ("-id",), limit: int | None = None
    ) -> list[Any]: ...

    def _find_one(self, record_type: type, filters: Filters, *, order: tuple[str, ...] = ("-id",)) -> Any | None:
        found = self._find(record_type, filters, order=order, limit=1)
        return found[0] if found else None

    def _refuse_taken(self, what: str, taken: Callable[["StoreRepository"], Any]) -> None:
        """Refuse a unique value found in this store or in the other one (`taken(store)` returns what holds it,
        or None): each store's own unique index only sees its own rows, so in `dual_mongo_primary` a value only
        Postgres holds would be accepted here and then stick the mirror on Postgres' index (and the reverse in
        `dual`). The other store is asked when the composition point gave a way to (`ask_other_store`)."""
        holder, where = taken(self), ""
        if holder is None and self.ask_other_store is not None:
            holder, where = self.ask_other_store(taken)
        if holder is not None:
            raise UniqueConflict(f"{what} is taken{where} by {getattr(holder, 'id', holder)}")

    def _revise(self, record_type: type, record_id: str, **changes: Any) -> Any:
        """Change fields of a stored record, moving its updatedAt forward (the common update)."""
        return self._update(record_type, record_id, lambda record: revised(record, **changes))

    @abstractmethod
    def _count(self, record_type: type, filters: Filters) -> int: ...

    @abstractmethod
    def _insert(self, record: Any) -> None: ...

    @abstractmethod
    def _update(self, record_type: type, record_id: str, change: Callable[[Any], Any]) -> Any: ...

    @abstractmethod
    def _delete(self, record_type: type, record_id: str) -> None: ...

    @abstractmethod
    def _sum(self, record_type: type, field: str, filters: Filters) -> Decimal:
        """Sum of `field` over the matching records (0 when none)."""

    @abstractmethod
    def _atomic(self, lock_key: str | None = None) -> AbstractContextManager:
        """A unit of work: one transaction in Postgres, serialized on `lock_key` if given.
        Mongo (without multi-document transactions in the legacy app) gives no such guarantee."""


def revised(record: Any, **changes: Any) -> Any:
    """`record` with `changes` and an updatedAt strictly after its last one, so versions stay ordered."""
    return dataclasses.replace(record, **changes, updated_at=next_moment(record.updated_at))


def unclassified_methods(port: type[StoreRepository]) -> set[str]:
    """Public methods of `port` that are neither read, write nor store primitives: a bug."""
    public = {name for name, _ in inspect.getmembers(port, inspect.isfunction) if not name.startswith("_")}
    return public - port.WRITE_METHODS - port.READ_METHODS - STORE_METHODS
