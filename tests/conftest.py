"""Shared fixtures. Tests run on real PostgreSQL (DATABASE_URL, else the embedded
server) and on mongomock for the Mongo side: no MongoDB server can run here. With
TEST_MONGO_URL, the contract, value, round-trip and backfill tests run on that
MongoDB server instead (tests/real_mongo.py)."""

import os
import signal
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from cutover.mirror.breaker import mongo_breaker
from cutover.modes.cache import invalidate_mode_cache
from cutover.testing import (
    database_url_for_other_processes,
    setup_databases_as_owner,
    teardown_databases_as_owner,
    use_runtime_and_owner_roles,
)
from escrow_project.mongo import mongo_database, reset_mongo_clients
from tests import real_mongo, strict_mongo

# A test-only key: processes that tests start may point at a server-like Mongo URL, where an unset
# SECRET_KEY stops start-up (tests/test_command_inputs.py checks that, with this variable removed).
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else")
strict_mongo.install()  # mongomock refuses what a MongoDB server refuses (tests/strict_mongo.py)

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["tests.own_stores"]  # own_redis, own_postgres: stores a test may restart


use_runtime_and_owner_roles()  # the app's connection is the runtime role; migrate and flush run as the owner


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb, django_db_createdb):
    """pytest-django's, but the test database is created and migrated by the owner role, and the app's
    connection (the runtime role, granted by migrate) then uses it: tests run with the app's privileges."""
    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        db_cfg = setup_databases_as_owner(verbosity=request.config.option.verbose, keepdb=keepdb)
    yield
    if not keepdb:
        with django_db_blocker.unblock():
            teardown_databases_as_owner(db_cfg, verbosity=request.config.option.verbose)


CLOSED_PORT_MONGO_URL = "mongodb://127.0.0.1:9/escrow"  # port 9 (discard): nothing listens, so connects fail fast


@pytest.fixture(autouse=True)
def isolated_mongo(settings, request):
    """A fresh in-memory Mongo per test (or, for the tests tests/real_mongo.py names, TEST_MONGO_URL's server),
    mirrors inline, a closed breaker, no cached modes."""
    if real_mongo.runs_on_the_server(request.path):
        with _settled(settings), real_mongo.server_store(settings):
            yield
        return
    url = f"mongomock://test-{uuid.uuid4().hex}"
    settings.MONGO_URL = url
    settings.MONGO_TIMEOUT_MS = 200
    with _settled(settings):
        database = mongo_database(url)
        yield
        database.client.drop_database(database.name)


@pytest.fixture(scope="session", autouse=True)
def _drop_the_runs_server_database():
    """With TEST_MONGO_URL, the run's database on that server goes at the end (tests/real_mongo.py)."""
    yield
    if real_mongo.test_mongo_url():
        real_mongo.drop_run_database()


@contextmanager
def _settled(settings):
    settings.MONGO_CONNECT_MODE = "auto"
    settings.CUTOVER_MIRROR = "inline"
    settings.CUTOVER_BREAKER_COOLDOWN_SECONDS = 60
    # A step's evidence counts once every process follows the mode (its change + this many seconds): a test's
    # one process follows at once. Tests of the settling and of the cache set their own.
    settings.CUTOVER_MODE_CACHE_SECONDS = 0
    reset_mongo_clients()
    mongo_breaker.reset()
    invalidate_mode_cache()
    try:
        yield
    finally:
        reset_mongo_clients()
        mongo_breaker.reset()
        invalidate_mode_cache()


class MongoOutage:
    """Points MONGO_URL at a closed local port (real pymongo) between start() and end()."""

    def __init__(self, settings):
        self.settings = settings
        self.working_url = settings.MONGO_URL

    def start(self) -> None:
        self.settings.MONGO_URL = CLOSED_PORT_MONGO_URL
        reset_mongo_clients()

    def end(self) -> None:
        self.settings.MONGO_URL = self.working_url
        reset_mongo_clients()
        mongo_breaker.reset()


@pytest.fixture
def mongo_outage(settings):
    outage = MongoOutage(settings)
    yield outage
    outage.end()


@pytest.fixture
def redis_url() -> str:
    """REDIS_URL if a Redis answers there; skipped with a message otherwise, except in CI (REQUIRE_REDIS=1)."""
    import os

    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"REQUIRE_REDIS is set but no Redis answers at {url}: {error}")
        pytest.skip(f"no Redis answers at {url} ({error}); set REDIS_URL to run this test")
    return url


@pytest.fixture
def shared_mongo(settings, tmp_path, mongo_outage):
    """A Mongo store on disk, so the worker process sees the same documents as the test."""
    from cutover.mirror.dispatch import dispatcher
    from cutover.mirror.relay_child import RelayChild

    settings.MONGO_URL = mongo_outage.working_url = f"litemongo://{tmp_path / 'mongo'}"
    reset_mongo_clients()
    # A fresh child: an earlier test's child that exited at once would hold back this test's start for
    # RESTART_SECONDS (the throttle is per process), which made the tests depend on their order.
    dispatcher.child = RelayChild()
    dispatcher.child.env = other_process_env()  # a background relay child works on the test database
    yield settings.MONGO_URL
    assert dispatcher.stop(timeout=30), "the background mirror did not stop"
    dispatcher.child.env = {}


def other_process_env(**extra: str) -> dict:
    """The environment for a process started beside the test: same database, same Mongo store."""
    from django.conf import settings

    return {
        **os.environ,
        "DATABASE_URL": database_url_for_other_processes(),
        "MONGO_URL": settings.MONGO_URL,
        "CUTOVER_LOG_LEVEL": "WARNING",
        **extra,
    }


@pytest.fixture
def worker(redis_url, shared_mongo):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_other_processes(),
        "MONGO_URL": shared_mongo,
        "REDIS_URL": redis_url,
        "CUTOVER_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "escrow_project",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield queue
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
