"""The one place a Mongo client is built, from a URL.

- `mongodb://…`, `mongodb+srv://…`: pymongo, with bounded timeouts (MONGO_TIMEOUT_MS)
  so an outage fails fast instead of after pymongo's 30 s default.
- `litemongo:///path`: the embedded stand-in for the legacy store (mongomock over
  SQLite files), shared by every process on the machine through its files. Its
  clients are per thread and its writes hold a lock across processes
  (escrow_project.embedded_mongo explains why).
- `mongomock://NAME`: an in-memory mongomock store, one per NAME, for tests.

Repositories only ever use the pymongo API, so a real MongoDB works unchanged.
Clients are cached per URL (and, for litemongo, per thread) and built lazily:
importing this module does no I/O.
"""

import contextlib
import os
import threading
from urllib.parse import urlparse

from django.conf import settings


class MongoDisabled(RuntimeError):
    """Raised when code asks for Mongo while MONGO_CONNECT_MODE=disabled."""


_clients: dict[str, object] = {}
_lock = threading.Lock()
_per_thread = threading.local()  # litemongo clients: (pid, generation) and {url: client}
_generation = 0  # bumped by reset_mongo_clients: every thread drops its litemongo clients


def mongo_client(url: str | None = None, *, long_running: bool = False):
    """Return the (cached) client for `url`, default MONGO_URL. `long_running` is for scans and index
    builds (backfill, verify, ensure_mongo_indexes): one of their operations may take minutes on a large
    collection, longer than any socket timeout sized for requests, so their client has none."""
    if settings.MONGO_CONNECT_MODE == "disabled":
        raise MongoDisabled("MONGO_CONNECT_MODE=disabled: no domain may use MongoDB")
    url = url or settings.MONGO_URL
    if urlparse(url).scheme == "litemongo":
        return _this_threads_client(url)
    key = f"{url}#long" if long_running and _is_pymongo(url) else url
    with _lock:
        if key not in _clients:
            _clients[key] = _build_client(url, long_running=long_running)
        return _clients[key]


def mongo_database(url: str | None = None, *, long_running: bool = False):
    """The legacy database: the URL's path if it names one, else MONGO_DB_NAME."""
    url = url or settings.MONGO_URL
    name = _database_name(url) or settings.MONGO_DB_NAME
    return mongo_client(url, long_running=long_running)[name]


def probe_mongo(timeout_ms: int) -> None:
    """Raise a PyMongoError unless Mongo answers a ping within about `timeout_ms` (health, start-up).

    A pymongo server gets a client of its own, closed afterwards: a probe never waits in the shared
    client's pool, and a hung server costs it `timeout_ms`, not MONGO_TIMEOUT_MS."""
    if settings.MONGO_CONNECT_MODE == "disabled":
        raise MongoDisabled("MONGO_CONNECT_MODE=disabled: no domain may use MongoDB")
    url = settings.MONGO_URL
    if not _is_pymongo(url):
        mongo_database(url).command("ping")  # the embedded stand-ins answer in-process
        return
    import pymongo

    client = pymongo.MongoClient(
        url,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=timeout_ms,
        appname="escrow-cutover-probe",
    )
    try:
        client.admin.command("ping")
    finally:
        client.close()


def reset_mongo_clients() -> None:
    """Forget cached clients (tests that swap MONGO_URL; after fork). Other threads drop their
    litemongo clients on their next use: only its own thread may close one."""
    global _generation
    with _lock:
        for client in _clients.values():
            _close_quietly(client)
        _clients.clear()
        _generation += 1
    _this_threads_clients()


def _this_threads_client(url: str):
    clients = _this_threads_clients()
    if url not in clients:
        clients[url] = _build_client(url)
    return clients[url]


def _this_threads_clients() -> dict[str, object]:
    """This thread's litemongo clients, emptied after a reset or a fork (a child must not use
    its parent's SQLite connections or lock descriptor)."""
    owner = (os.getpid(), _generation)
    if getattr(_per_thread, "owner", None) != owner:
        if getattr(_per_thread, "owner", (None,))[0] == os.getpid():
            for client in _per_thread.clients.values():
                _close_quietly(client)
        _per_thread.owner, _per_thread.clients = owner, {}
    return _per_thread.clients


def mongo_store_label(url: str | None = None) -> str:
    """A log-safe description of the store behind `url` (no credentials)."""
    parsed = urlparse(url or settings.MONGO_URL)
    return f"{parsed.scheme}://{parsed.hostname or ''}{parsed.path if parsed.scheme != 'mongodb' else ''}"


def _close_quietly(client) -> None:
    with contextlib.suppress(AttributeError):  # litemongo's in-memory store has nothing to close
        client.close()


def shared_between_processes(url: str | None = None) -> bool:
    """Whether every process that opens `url` (default MONGO_URL) sees the same store: a server or litemongo
    files do; a `mongomock://` store lives in one process's memory."""
    return urlparse(url or settings.MONGO_URL).scheme != "mongomock"


def _is_pymongo(url: str) -> bool:
    return urlparse(url).scheme in ("mongodb", "mongodb+srv")


def _build_client(url: str, *, long_running: bool = False):
    scheme = urlparse(url).scheme
    if scheme in ("mongodb", "mongodb+srv"):
        return _pymongo_client(url, long_running=long_running)
    if scheme == "litemongo":
        from .embedded_mongo import connect_embedded

        return connect_embedded(urlparse(url).path, tz_aware=True)
    if scheme == "mongomock":
        import litemongo

        # litemongo's vendored mongomock with its _id index; one store per name.
        return litemongo.connect(f"mongomock/{urlparse(url).netloc}?engine=memory", tz_aware=True)
    raise ValueError(
        f"MONGO_URL scheme {scheme!r} is not supported; use mongodb://, mongodb+srv://, litemongo:// or mongomock://"
    )


def _pymongo_client(url: str, *, long_running: bool = False):
    import pymongo

    timeout = settings.MONGO_TIMEOUT_MS
    return pymongo.MongoClient(
        url,
        tz_aware=True,
        # A legacy date outside years 1-9999 (JavaScript allows them) would make bson fail the whole batch
        # it is in; decoded as DatetimeMS instead, it becomes one document's reject.
        datetime_conversion="DATETIME_AUTO",
        serverSelectionTimeoutMS=timeout,
        connectTimeoutMS=timeout,
        socketTimeoutMS=None if long_running else timeout * 4,
        appname="escrow-cutover",
    )


def _database_name(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme in ("mongodb", "mongodb+srv"):
        return parsed.path.lstrip("/")
    return ""
