"""scripts/smoke.py against a live server (manage.py runserver in a process of its own): with every domain
in each of the four modes, then with every domain on postgres and MongoDB at a closed port, where health must
say `mongo: optional`. And with MongoDB at a port that counts connections: the web process, the scheduled
tasks and ensure_mongo_indexes make none."""

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command

from cutover.modes.registry import domain_names
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.testing import set_store_mode
from disputes.services import dispute_open
from tests.conftest import CLOSED_PORT_MONGO_URL, other_process_env
from tests.disputes.factories import dispute_draft
from tests.mongo_tripwire import MongoTripwire

ROOT = Path(__file__).resolve().parent.parent
# This project's live-server ports; ESCROW_TEST_PORTS=FIRST-LAST moves them (several checkouts on one machine).
_FIRST, _LAST = os.environ.get("ESCROW_TEST_PORTS", "8101-8199").split("-")
PORTS = range(int(_FIRST), int(_LAST) + 1)
EXPECTED_MONGO = {StoreMode.POSTGRES: "optional"}  # every other mode still uses Mongo: "required"
CREDENTIALS = {"SMOKE_USERNAME": "smoke-operator", "SMOKE_PASSWORD": "a-test-only-password"}

pytestmark = pytest.mark.django_db(transaction=True)  # the server reads what the test commits


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port in {PORTS}")


@pytest.fixture
def start_server(shared_mongo, redis_url):
    started: list[subprocess.Popen] = []

    def start(**env: str) -> str:
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=other_process_env(
                REDIS_URL=redis_url,
                CUTOVER_MIRROR="inline",
                CUTOVER_MODE_CACHE_SECONDS="0",  # each request sees the mode the test just set
                PYTHONUNBUFFERED="1",
                **env,
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        lines = []
        for line in process.stdout:  # blocks until the server says it listens (or exits)
            lines.append(line)
            if "Quit the server with" in line:
                break
        else:
            pytest.fail("the server did not start:\n" + "".join(lines))
        threading.Thread(target=process.stdout.read, daemon=True).start()  # keep its pipe drained
        return f"http://127.0.0.1:{port}"

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def operator():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        CREDENTIALS["SMOKE_USERNAME"], password=CREDENTIALS["SMOKE_PASSWORD"], is_staff=True, is_superuser=True
    )


def _all(mode: StoreMode) -> None:
    for name in domain_names():
        set_store_mode(name, mode)


def _smoke(base_url: str, expect_mongo: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/smoke.py", base_url, "--expect-mongo", expect_mongo, "--timeout", "60"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **CREDENTIALS},
    )


def test_smoke_passes_in_every_mode_and_with_mongo_gone_once_all_is_on_postgres(start_server, operator):
    base_url = start_server()
    for mode in MIGRATION_ORDER:
        _all(mode)
        dispute_open(**vars(dispute_draft()))  # the parties the smoke test reuses, in this mode's stores
        result = _smoke(base_url, EXPECTED_MONGO.get(mode, "required"))
        assert result.returncode == 0, f"{mode}:\n{result.stdout}{result.stderr}"
        assert "smoke: all passed" in result.stdout

    _all(StoreMode.POSTGRES)
    call_command("run_scheduled_task", "--all")  # as a deployment's set-up does: a task that never ran is late
    gone = start_server(MONGO_URL=CLOSED_PORT_MONGO_URL, MONGO_CONNECT_MODE="auto")
    result = _smoke(gone, "optional")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "mongo: optional, status: ok" in result.stdout


def test_smoke_fails_when_health_disagrees_or_the_password_is_wrong(start_server, operator):
    _all(StoreMode.MONGO)
    dispute_open(**vars(dispute_draft()))
    base_url = start_server()
    wrong_role = _smoke(base_url, "optional")
    assert wrong_role.returncode == 1
    assert "FAIL health: health says mongo: 'required', not optional" in wrong_role.stdout
    bad_password = subprocess.run(
        [sys.executable, "scripts/smoke.py", base_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **CREDENTIALS, "SMOKE_PASSWORD": "wrong"},
    )
    assert bad_password.returncode == 1
    assert "FAIL login" in bad_password.stdout
    no_credentials = subprocess.run(
        [sys.executable, "scripts/smoke.py", base_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={key: value for key, value in os.environ.items() if not key.startswith("SMOKE_")},
    )
    assert no_credentials.returncode == 2
    assert "SMOKE_USERNAME and SMOKE_PASSWORD" in no_credentials.stderr


def test_all_on_postgres_no_process_connects_to_mongo(start_server, operator, redis_url):
    _all(StoreMode.POSTGRES)
    dispute_open(**vars(dispute_draft()))
    tripwire = MongoTripwire()
    try:
        env = other_process_env(MONGO_URL=tripwire.url, REDIS_URL=redis_url)
        base_url = start_server(MONGO_URL=tripwire.url)
        assert _smoke(base_url, "optional").returncode == 0
        for command in (["run_scheduled_task", "--all"], ["ensure_mongo_indexes"], ["repair_mirror"]):
            result = subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 0, result.stdout + result.stderr
        assert tripwire.connections == 0
    finally:
        tripwire.close()


def test_the_tripwire_counts_a_process_that_does_connect(redis_url, shared_mongo):
    """The proof above can fail: a process that uses Mongo shows up."""
    _all(StoreMode.MONGO)
    tripwire = MongoTripwire()
    try:
        env = other_process_env(MONGO_URL=tripwire.url, MONGO_TIMEOUT_MS="500", REDIS_URL=redis_url)
        subprocess.run(
            [sys.executable, "manage.py", "ensure_mongo_indexes"], cwd=ROOT, env=env, capture_output=True, timeout=120
        )
        assert tripwire.connections > 0
    finally:
        tripwire.close()
