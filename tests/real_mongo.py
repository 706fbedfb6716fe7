"""TEST_MONGO_URL: the Mongo-side tests that say what a MongoDB server does run against a real one.

Unset (the default, and all that runs here: no MongoDB server can run on these machines), every test gets a
fresh in-memory mongomock store behind the strict layer (tests/strict_mongo.py). Set to a server
(`TEST_MONGO_URL=mongodb://127.0.0.1:27017/?replicaSet=rs0`), the contract, value, round-trip and
backfill tests use the app's real pymongo client on that server instead, in a database of their own for the
test run (`escrow_test_<random>`, emptied after each test and dropped at the end of the run); the strict
layer, which only wraps mongomock, is then out of their way. A server that does not answer fails each such
test, saying so: nothing falls back to mongomock unseen."""

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

# The directories, and the files of other directories, whose tests run on TEST_MONGO_URL's server.
REAL_SERVER_DIRECTORIES = ("contract", "values", "backfill")
REAL_SERVER_FILE_MARK = "round_trip"
SERVER_TIMEOUT_MS = 2000
RUN_DATABASE = f"escrow_test_{uuid.uuid4().hex[:12]}"  # one per test run (per process)
_answered = []  # set once the server answered: only then is there a run database to drop


def test_mongo_url() -> str:
    return os.environ.get("TEST_MONGO_URL", "").strip()


test_mongo_url.__test__ = False  # a helper, not a test


def runs_on_the_server(test_path: str | Path) -> bool:
    """Whether the test in `test_path` runs against TEST_MONGO_URL's server (when one is given)."""
    path = Path(test_path)
    return bool(test_mongo_url()) and (
        any(part in REAL_SERVER_DIRECTORIES for part in path.parent.parts) or REAL_SERVER_FILE_MARK in path.name
    )


def run_database_url(url: str | None = None) -> str:
    """TEST_MONGO_URL with this run's database as its path (its options kept)."""
    parsed = urlparse(url or test_mongo_url())
    if parsed.scheme not in ("mongodb", "mongodb+srv"):
        raise pytest.UsageError(f"TEST_MONGO_URL must be a mongodb:// or mongodb+srv:// URL, got {parsed.scheme!r}")
    return urlunparse(parsed._replace(path=f"/{RUN_DATABASE}"))


@contextmanager
def server_store(settings):
    """MONGO_URL on the run's database of TEST_MONGO_URL's server for one test; its collections dropped after."""
    from pymongo.errors import PyMongoError

    from escrow_project.mongo import mongo_database, reset_mongo_clients

    settings.MONGO_URL = run_database_url()
    settings.MONGO_TIMEOUT_MS = SERVER_TIMEOUT_MS
    reset_mongo_clients()
    database = mongo_database()
    try:
        database.command("ping")
    except PyMongoError as error:
        reset_mongo_clients()
        shown = (str(error).splitlines() or [""])[0][:200]
        pytest.fail(
            f"TEST_MONGO_URL={_label(test_mongo_url())} did not answer ({type(error).__name__}: {shown}); start the "
            "server, or unset TEST_MONGO_URL to run on mongomock",
            pytrace=False,
        )
    _answered.append(True)
    try:
        yield database
    finally:
        for name in database.list_collection_names():
            database.drop_collection(name)
        reset_mongo_clients()


def drop_run_database() -> None:
    """At the end of the run: the run's database goes (a client of its own: the app's are reset by then)."""
    import pymongo

    if not _answered:
        return
    client = pymongo.MongoClient(run_database_url(), serverSelectionTimeoutMS=SERVER_TIMEOUT_MS)
    try:
        client.drop_database(RUN_DATABASE)
    finally:
        client.close()


def _label(url: str) -> str:
    """The URL without its credentials (a test report is no place for them)."""
    parsed = urlparse(url)
    return urlunparse(parsed._replace(netloc=parsed.netloc.rsplit("@", 1)[-1]))
