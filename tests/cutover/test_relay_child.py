"""The default mirror on a Mongo store every process sees runs in a relay child of each app process
(cutover.mirror.relay_child): it mirrors every write off this process's GIL, never outlives its parent
(SIGKILL included), is replaced when it dies, is never shared with a forked process, and loses nothing."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest

from cutover.factory import repository_for
from cutover.mirror import dispatch, relay_child
from cutover.mirror.dispatch import dispatcher
from cutover.mirror.outbox import outbox_repair_pending
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from tests.conftest import ROOT, other_process_env
from tests.cutover.fence_helpers import poll
from tests.disputes.factories import dispute_draft

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def background(settings, shared_mongo):
    settings.CUTOVER_MIRROR = "background"
    set_store_mode("dispute", "dual")
    return repository_for("dispute")


def _in_mongo(*records) -> bool:
    mongo = domain_spec("dispute").backends()["mongo"]
    return all(mongo.get(record.id) == record for record in records)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent (init here) has yet to reap it


def _niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_a_shared_store_is_mirrored_by_a_child_process_not_a_thread(background):
    with mock.patch.object(dispatch, "outbox_process_entries", side_effect=AssertionError("mirrored in-process")):
        records = [background.create(dispute_draft()) for _ in range(10)]
        assert dispatcher.child.pid not in (None, os.getpid())
        assert dispatcher.drain(timeout=60)
    assert _in_mongo(*records)
    assert MirrorOutboxEntry.objects.exclude(status="done").count() == 0
    assert _niceness(dispatcher.child.pid) == os.nice(0) + relay_child.NICENESS  # the requests get the cores first


def test_writes_while_the_child_is_dead_wait_in_the_outbox_and_a_new_child_mirrors_them(background, monkeypatch):
    first = background.create(dispute_draft())
    assert dispatcher.drain(timeout=60) and _in_mongo(first)
    killed = dispatcher.child.pid
    os.kill(killed, signal.SIGKILL)
    assert poll(lambda: dispatcher.child.pid is None)
    monkeypatch.setattr(relay_child, "RESTART_SECONDS", 3600.0)  # a child that just died is not restarted
    orphans = [background.create(dispute_draft()) for _ in range(3)]
    assert dispatcher.child.pid is None
    assert MirrorOutboxEntry.objects.filter(status="pending").count() == 3  # kept, not lost
    monkeypatch.setattr(relay_child, "RESTART_SECONDS", 0.0)
    last = background.create(dispute_draft())
    assert dispatcher.child.pid not in (None, killed)
    assert dispatcher.drain(timeout=60)
    assert _in_mongo(*orphans, last)


@pytest.mark.parametrize("parent_script", ["idle", "busy"])
def test_the_child_stops_when_its_parent_is_killed(settings, shared_mongo, parent_script):
    settings.CUTOVER_MIRROR = "relay"  # this process mirrors nothing; the parent below does
    set_store_mode("dispute", "dual")
    record = repository_for("dispute").create(dispute_draft())
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT_SCRIPT, record.id, record.opened_by_id, parent_script],
        cwd=ROOT,
        env=other_process_env(CUTOVER_MIRROR="background"),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        child = int(parent.stdout.readline())
        mongo = domain_spec("dispute").backends()["mongo"]
        mirrored = lambda: getattr(mongo.get(record.id), "status", "open") != "open"  # noqa: E731
        assert poll(mirrored, seconds=60), "the parent's relay child never mirrored"
        time.sleep(1.5)  # idle: the child waits for work; busy: it mirrors the parent's stream of writes
    finally:
        parent.kill()
        parent.wait()
    killed = time.monotonic()
    assert poll(lambda: not _running(child), seconds=10), "the relay child outlived its parent"
    # README: "The child stops within about a second of its parent's death (`kill -9` included)".
    assert time.monotonic() - killed < 1.0, f"the relay child lived {time.monotonic() - killed:.1f} s more"


_PARENT_SCRIPT = """
import os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escrow_project.settings")
django.setup()
from cutover.factory import repository_for
from cutover.mirror.dispatch import dispatcher
disputes = repository_for("dispute")
disputes.change_status(sys.argv[1], to_status="under_review", actor_id=sys.argv[2])
print(dispatcher.child.pid, flush=True)
while sys.argv[3] == "busy":  # writes without a pause until killed: the child always has a burst in hand
    for status in ("awaiting_response", "under_review"):
        disputes.change_status(sys.argv[1], to_status=status, actor_id=sys.argv[2])
time.sleep(120)
"""


def test_a_forked_process_never_stops_or_uses_its_parents_child(background):
    background.create(dispute_draft())
    ours = dispatcher.child.pid
    assert ours is not None
    read, write = os.pipe()
    forked = os.fork()
    if forked == 0:  # a gunicorn or celery prefork worker: its exit must not take our child with it
        seen = dispatcher.child.pid
        dispatcher.child.stop(timeout=1)
        os.write(write, repr(seen).encode())
        os._exit(0)
    os.waitpid(forked, 0)
    assert os.read(read, 100) == b"None"
    time.sleep(0.2)
    assert dispatcher.child.pid == ours and _running(ours)


def test_mongo_down_leaves_the_writes_pending_and_the_repair_mirrors_them(background, mongo_outage):
    draft = dispute_draft()  # its parents are put in both stores
    mongo_outage.start()  # a real pymongo client against a closed port: shared, so the child mirrors
    dispatcher.child.env = other_process_env(MONGO_TIMEOUT_MS="300")
    started = time.monotonic()
    record = background.create(draft)
    assert time.monotonic() - started < 1.0  # the request never waits on Mongo
    entry = MirrorOutboxEntry.objects.get(record_id=record.id)
    assert poll(lambda: MirrorOutboxEntry.objects.get(pk=entry.pk).attempts >= 1, seconds=30)
    assert MirrorOutboxEntry.objects.get(pk=entry.pk).status == "pending"
    assert dispatcher.stop(timeout=30)
    mongo_outage.end()
    MirrorOutboxEntry.objects.filter(pk=entry.pk).update(next_attempt_at=entry.created_at)
    assert outbox_repair_pending().repaired == 1
    assert _in_mongo(record)


def test_a_child_that_cannot_start_is_not_respawned_by_every_write(background, settings, tmp_path):
    settings.BASE_DIR = tmp_path  # no manage.py there: every child exits at once
    starts = []
    real_popen = relay_child.subprocess.Popen

    def counted(*args, **kwargs):
        starts.append(args)
        return real_popen(*args, **kwargs)

    with mock.patch.object(relay_child.subprocess, "Popen", counted):
        records = [background.create(dispute_draft()) for _ in range(5)]
        assert poll(lambda: dispatcher.child.pid is None)
        records.append(background.create(dispute_draft()))
    assert len(starts) == 1, starts
    assert MirrorOutboxEntry.objects.filter(status="pending").count() == len(records)  # kept for the repair
