"""`manage.py mirror_relay` rides out a PostgreSQL restart and a Mongo outage by itself (issue 27): on a
PostgreSQL of the test's own, stopped and started again under it, it keeps running, listens again, and
mirrors what committed after the restart; with Mongo at a closed port it keeps running and leaves the
writes pending. The recovery time (PostgreSQL back until a new write is mirrored) is printed."""

import subprocess
import sys
import time

import psycopg
import pytest

from tests.conftest import CLOSED_PORT_MONGO_URL, ROOT
from tests.cutover.fence_helpers import poll

# Run in a process of the server's database (the test process's Django is bound to the test database).
_WRITE_DISPUTE = """
from cutover.factory import repository_for
from cutover.testing import set_store_mode
from tests.disputes.factories import dispute_draft
set_store_mode("dispute", "dual")
print(repository_for("dispute").create(dispute_draft()).id)
"""


def _env(server, mongo_url: str) -> dict:
    return {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "test-only-secret-key",
        "ESCROW_ENV_FILE": "",
        "DATABASE_URL": server.url(server.superuser, server.superuser, "escrow"),
        "MONGO_URL": mongo_url,
        "CUTOVER_MIRROR": "relay",
        "CUTOVER_LOG_LEVEL": "INFO",
    }


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _outbox_status(server, record_id: str) -> str | None:
    try:
        with psycopg.connect(server.url(server.superuser, server.superuser, "escrow"), connect_timeout=2) as db:
            row = db.execute("SELECT status FROM cutover_mirror_outbox WHERE record_id = %s", [record_id]).fetchone()
    except psycopg.OperationalError:
        return None
    return row and row[0]


@pytest.fixture
def server_with_relay(own_postgres, tmp_path, request):
    own_postgres.execute("CREATE DATABASE escrow")
    env = _env(own_postgres, f"litemongo://{tmp_path / 'mongo'}")  # the writers' Mongo
    _manage(env, "migrate", "--verbosity", "0")
    relay = subprocess.Popen(
        [sys.executable, "manage.py", "mirror_relay", "--idle-seconds", "1"],
        cwd=ROOT,
        env={**env, "MONGO_URL": request.param or env["MONGO_URL"], "MONGO_TIMEOUT_MS": "200"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield own_postgres, env, relay
    relay.terminate()
    relay.wait(timeout=20)


@pytest.mark.parametrize("server_with_relay", [None], indirect=True)  # the relay's Mongo: the writers'
def test_the_relay_listens_again_after_a_postgres_restart(server_with_relay):
    server, env, relay = server_with_relay
    first = _manage(env, "shell", "-c", _WRITE_DISPUTE).splitlines()[-1]
    assert poll(lambda: _outbox_status(server, first) == "done", seconds=30), "the relay never mirrored"

    server.stop("fast")  # every connection the relay holds is closed under it
    time.sleep(3)  # through several reconnect attempts
    assert relay.poll() is None, f"the relay exited with PostgreSQL away: {relay.stderr.read()[-2000:]}"
    server.start()
    back = time.monotonic()
    second = _manage(env, "shell", "-c", _WRITE_DISPUTE).splitlines()[-1]
    assert poll(lambda: _outbox_status(server, second) == "done", seconds=30), "not mirrored after the restart"
    print(f"relay: PostgreSQL back -> a new write mirrored in {time.monotonic() - back:.1f} s")
    assert relay.poll() is None


@pytest.mark.parametrize("server_with_relay", [CLOSED_PORT_MONGO_URL], indirect=True)
def test_the_relay_keeps_running_while_mongo_is_down_and_leaves_the_writes_pending(server_with_relay):
    server, env, relay = server_with_relay
    record = _manage(env, "shell", "-c", _WRITE_DISPUTE).splitlines()[-1]
    time.sleep(4)  # several relay passes against the closed port
    assert relay.poll() is None, f"the relay exited with Mongo down: {relay.stderr.read()[-2000:]}"
    assert _outbox_status(server, record) == "pending"
