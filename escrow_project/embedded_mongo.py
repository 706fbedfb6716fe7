"""The embedded legacy store (litemongo) made safe for the processes the README runs.

Why this exists: litemongo is mongomock over SQLite files. Two of its traits break
the web + worker + relay set-up, and both differ from a real MongoDB:
- Its SQLite connections belong to the thread that opened them, so one client per
  process fails as soon as a second thread (the background mirror) uses it.
  `escrow_project.mongo` therefore builds one client per thread.
- mongomock runs every write as "read the documents, then store the result", with
  only an in-process lock. Across processes (or threads with their own clients)
  a guarded update, a `$inc` or a unique-index check can then interleave and lose
  a write, where MongoDB applies each single-document write atomically. Every
  write here holds an exclusive `flock` on `<store>/.write.lock` for its whole
  read-modify-write. Each client opens its own descriptor, and flock excludes
  between descriptors, so this covers threads as well as processes.
Reads take no lock: SQLite (WAL) gives each statement a committed state.
"""

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

COLLECTION_WRITES = frozenset(
    {
        "insert_one",
        "insert_many",
        "update_one",
        "update_many",
        "replace_one",
        "delete_one",
        "delete_many",
        "find_one_and_update",
        "find_one_and_replace",
        "find_one_and_delete",
        "bulk_write",
        "create_index",
        "create_indexes",
        "drop_index",
        "drop_indexes",
        "drop",
        "rename",
    }
)
DATABASE_WRITES = frozenset({"drop_collection", "create_collection", "rename_collection"})
CLIENT_WRITES = frozenset({"drop_database"})


class StoreWriteLock:
    """An exclusive flock on one file of the store directory, held for one write at a time."""

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self._file = open(directory / ".write.lock", "a+b")  # noqa: SIM115 - held for the client's life

    @contextmanager
    def held(self) -> Iterator[None]:
        fcntl.flock(self._file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._file, fcntl.LOCK_UN)

    def close(self) -> None:
        self._file.close()


class _Locked:
    """Delegates to a mongomock object; its write methods run under the store's lock, and the
    databases and collections it hands out are wrapped the same way."""

    _WRITES: frozenset[str] = frozenset()

    def __init__(self, target: Any, lock: StoreWriteLock):
        self._target, self._lock = target, lock

    def __getattr__(self, name: str) -> Any:
        value = _wrap(getattr(self._target, name), self._lock)
        if callable(value) and not isinstance(value, _Locked):
            return self._calling(value, locked=name in self._WRITES)
        return value

    def __getitem__(self, name: str) -> Any:
        return _wrap(self._target[name], self._lock)

    def __eq__(self, other: object) -> bool:
        return self._target == (other._target if isinstance(other, _Locked) else other)

    def __hash__(self) -> int:
        return hash(self._target)

    def __repr__(self) -> str:
        return f"Locked({self._target!r})"

    def _calling(self, method: Callable, *, locked: bool) -> Callable:
        def call(*args: Any, **kwargs: Any) -> Any:
            args = tuple(_unwrap(arg) for arg in args)
            if not locked:
                return _wrap(method(*args, **kwargs), self._lock)
            with self._lock.held():
                return _wrap(method(*args, **kwargs), self._lock)

        return call


class LockedCollection(_Locked):
    _WRITES = COLLECTION_WRITES


class LockedDatabase(_Locked):
    _WRITES = DATABASE_WRITES


class LockedClient(_Locked):
    _WRITES = CLIENT_WRITES

    def __init__(self, target: Any, lock: StoreWriteLock, *, owns_lock: bool = False):
        super().__init__(target, lock)
        self._owns_lock = owns_lock  # only the client connect_embedded built; not `database.client`

    def close(self) -> None:
        try:
            self._target.close()
        finally:
            if self._owns_lock:
                self._lock.close()


def connect_embedded(path: str, **options: Any) -> LockedClient:
    """A litemongo client for the store at `path`, for use by the calling thread only."""
    import litemongo

    return LockedClient(litemongo.connect(path, **options), StoreWriteLock(Path(path)), owns_lock=True)


def _unwrap(value: Any) -> Any:
    return value._target if isinstance(value, _Locked) else value


def _wrap(value: Any, lock: StoreWriteLock) -> Any:
    from litemongo._vendor.mongomock import collection, database, mongo_client

    if isinstance(value, collection.Collection):
        return LockedCollection(value, lock)
    if isinstance(value, database.Database):
        return LockedDatabase(value, lock)
    if isinstance(value, mongo_client.MongoClient):
        return LockedClient(value, lock)
    return value
