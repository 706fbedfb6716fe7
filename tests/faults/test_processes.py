"""Faults across processes: a backfill killed with SIGKILL at ten random points, then completed; several
processes updating the same records in `dual` at once. After repair both stores are equal, nothing lost."""

import json
import random
import signal
import subprocess
import sys
import time

import pytest
from bson import ObjectId

from accounts.models import User
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillCheckpoint, BackfillRun, MirrorOutboxEntry
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_database
from tests.backfill.conftest import LegacyData
from tests.conftest import ROOT, other_process_env
from tests.factories import a_user
from tests.faults.helpers import differing_records, repair_everything

pytestmark = pytest.mark.django_db(transaction=True)
KILLS = 10
DOCUMENTS = 3000


def _legacy_users(count: int) -> set[str]:
    first = LegacyData(mongo_database()).user()
    docs = [first | {"_id": ObjectId(), "email": f"k{i}@example.com"} for i in range(count - 1)]
    mongo_database().users.insert_many(docs)
    return {str(first["_id"]), *(str(doc["_id"]) for doc in docs)}


def _read_so_far() -> int:
    checkpoint = BackfillCheckpoint.objects.filter(collection="users").first()
    return checkpoint.read if checkpoint else 0


def _backfill() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "backfill", "auth", "--batch-size", "50", "--json"],
        cwd=ROOT,
        env=other_process_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill_after(process: subprocess.Popen, documents: int) -> int:
    """SIGKILL once the run has read `documents` more (0: at once, before it even starts); the rows read."""
    target = _read_so_far() + documents
    deadline = time.monotonic() + 90
    while documents and _read_so_far() < target and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # polling the checkpoint the run commits, not waiting for time to pass
    process.send_signal(signal.SIGKILL)
    process.wait()
    return _read_so_far()


def test_a_backfill_killed_ten_times_at_random_points_then_completed_loses_and_duplicates_nothing(shared_mongo):
    ids = _legacy_users(DOCUMENTS)
    rng = random.Random()
    seed = rng.randrange(10**6)
    rng.seed(seed)
    progress = [_kill_after(_backfill(), rng.choice([0, rng.randrange(1, 250)])) for _ in range(KILLS)]
    assert progress[-1] < DOCUMENTS, f"seed {seed}: the runs finished before the tenth kill: {progress}"
    assert BackfillRun.objects.filter(domain="auth", status="running").exists()  # killed, never marked
    finished = subprocess.run(
        [sys.executable, "manage.py", "backfill", "auth", "--batch-size", "50"],
        cwd=ROOT,
        env=other_process_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, (seed, finished.stderr)
    assert set(User.objects.values_list("id", flat=True)) == ids
    assert User.objects.count() == DOCUMENTS
    assert verify_domain("auth").passed
    assert differing_records("auth", "users", rng.sample(sorted(ids), 50)) == []
    print(f"backfill SIGKILLed {KILLS} times (seed {seed}), documents read at each kill: {progress}; then completed")


WRITERS = 4
UPDATES = 60


def test_several_processes_updating_the_same_records_in_dual(shared_mongo, tmp_path):
    users = [a_user() for _ in range(5)]
    set_store_mode("auth", "dual")
    ids = ",".join(user.id for user in users)
    env = other_process_env(CUTOVER_MIRROR="inline")
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.faults.dual_updater", f"w{n}", str(tmp_path), str(UPDATES), ids],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready-*"))) < WRITERS and time.monotonic() < deadline:
        time.sleep(0.01)
    (tmp_path / "start").touch()
    reports = []
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err[-2000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    assert [report["errors"] for report in reports] == [[]] * WRITERS
    assert sum(report["acknowledged"] for report in reports) == WRITERS * UPDATES
    repair_everything()
    assert differing_records("auth", "users", [user.id for user in users]) == []
    for user in users:  # the last write to reach Postgres is one writer's last write to that user
        final = User.objects.get(pk=user.id).display_name
        assert final in {report["last"][user.id] for report in reports}
    assert MirrorOutboxEntry.objects.filter(status="done").count() == WRITERS * UPDATES
