"""Shared set-up for the write-fence tests: a dispute in both stores, a domain ready for Postgres to
lead, and what each store holds; for the multi-process ones, the writer and relay processes they start and
what they acknowledged."""

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from django.db import connection

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.factory import repository_for
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from tests.conftest import ROOT, other_process_env
from tests.disputes.factories import dispute_draft

PARENTS = ("auth", "marketplace", "payment")


def disputes_in_both_stores(count: int = 1) -> list[str]:
    """Disputes written in `dual` with inline mirrors, so both stores hold them."""
    from django.conf import settings

    mirror, settings.CUTOVER_MIRROR = settings.CUTOVER_MIRROR, "inline"
    set_store_mode("dispute", "dual")
    try:
        return [repository_for("dispute").create(dispute_draft()).id for _ in range(count)]
    finally:
        settings.CUTOVER_MIRROR = mirror


def ready_for_postgres_to_lead() -> None:
    """What `dual_mongo_primary -> dual` asks for: parents at dual, a backfill, a passing verify."""
    for parent in PARENTS:
        set_store_mode(parent, "dual")
    backfill_domain("dispute")
    assert verify_domain("dispute").passed


def evidence_urls(dispute_id: str) -> dict[str, set[str]]:
    """The evidence URLs each store holds for one dispute."""
    return {
        name: {item.url for item in store.get(dispute_id).evidence}
        for name, store in domain_spec("dispute").backends().items()
    }


def poll(condition: Callable[[], bool], *, seconds: float = 10.0) -> bool:
    """True as soon as `condition` holds; False after `seconds` (a deadline, not a sleep)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class InThread:
    """Run `call` in a thread with its own database connection; keep its result or error."""

    def __init__(self, call: Callable[[], object]):
        self.result: object = None
        self.error: BaseException | None = None
        self._call = call
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self._call()
        except BaseException as error:  # noqa: BLE001 - the test inspects it
            self.error = error
        finally:
            connection.close()

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def join(self, seconds: float = 30.0) -> object:
        self._thread.join(seconds)
        assert self.done, "the thread did not finish in time"
        if self.error is not None:
            raise self.error
        return self.result


def start_writer(name: str, mirror: str, cache_seconds: str, ids: list[str], folder, seconds: float):
    """A tests.cutover.fence_writer process (CUTOVER_MIRROR=`mirror`, its mode cache `cache_seconds`) appending
    evidence to the disputes `ids` for `seconds` once `folder`/start exists: (name, its Popen)."""
    env = other_process_env(CUTOVER_MIRROR=mirror, CUTOVER_MODE_CACHE_SECONDS=cache_seconds)
    command = [sys.executable, "-m", "tests.cutover.fence_writer", name, str(folder), str(seconds), ",".join(ids)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return name, process


def start_relay() -> subprocess.Popen:
    """A `mirror_relay` process, as the relay writers' deployment runs one."""
    env = other_process_env(CUTOVER_MIRROR="relay")
    command = [sys.executable, "manage.py", "mirror_relay", "--idle-seconds", "0.5"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


def repair_everything() -> None:
    """Whatever a mirror left pending (a killed writer's, the relay's tail) is repaired now."""
    from cutover.mirror.breaker import mongo_breaker
    from cutover.mirror.outbox import outbox_repair_pending
    from cutover.models import MirrorOutboxEntry

    mongo_breaker.reset()
    pending = MirrorOutboxEntry.objects.filter(status="pending")
    for _ in range(20):
        if not pending.exists():
            break
        pending.update(next_attempt_at=MirrorOutboxEntry.objects.order_by("id").first().created_at)
        outbox_repair_pending(limit=1000)
    assert not MirrorOutboxEntry.objects.exclude(status="done").exists()


def acknowledged_writes(outputs: dict[str, str]) -> list[list[str]]:
    """[dispute id, url] of every `ack` line the writers printed."""
    lines = [line for output in outputs.values() for line in output.splitlines()]
    return [line.split()[1:] for line in lines if line.startswith("ack ")]


def lost_writes(acknowledged: list[list[str]]) -> dict[str, int]:
    """Per store, how many acknowledged evidence URLs it does not hold."""
    stores = domain_spec("dispute").backends()
    held = {
        name: {rid: {item.url for item in store.get(rid).evidence} for rid in {rid for rid, _ in acknowledged}}
        for name, store in stores.items()
    }
    return {name: sum(url not in urls[rid] for rid, url in acknowledged) for name, urls in held.items()}


def writer_errors(outputs: dict[str, str]) -> dict[str, dict]:
    """Per writer, the errors of the writes it did not acknowledge ("killed": it printed no summary)."""
    summaries = {}
    for name, output in outputs.items():
        lines = [line for line in output.splitlines() if line.startswith("summary ")]
        summaries[name] = json.loads(lines[-1][8:])["errors"] if lines else "killed"
    return summaries


def start_legacy_writer(folder, seeded: list[str]) -> subprocess.Popen:
    """A tests.cutover.legacy_writer process: the legacy app writing the shared store directly."""
    command = [sys.executable, "-m", "tests.cutover.legacy_writer", str(folder), ",".join(seeded)]
    env = other_process_env()
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def stop_the_legacy_app(folder) -> None:
    """Switch the legacy writer off and wait until it has no write in flight (it touches legacy-stopped)."""
    (folder / "legacy-stopped").unlink(missing_ok=True)
    (folder / "legacy-on").unlink(missing_ok=True)
    assert poll(lambda: (folder / "legacy-stopped").exists(), seconds=30), "the legacy writer never stopped"


def legacy_outcome(output: str) -> dict[str, int]:
    """What the legacy writer was acknowledged against what Mongo holds now: `lost` (an inserted document
    gone without its delete), `stale` (a document without its last acknowledged description or legacyViews),
    `resurrected` (a deleted one back)."""
    from bson import ObjectId

    from escrow_project.mongo import mongo_database

    expected: dict[str, tuple[str | None, int]] = {}
    deleted, writes = set(), 0
    for words in (line.split() for line in output.splitlines()):
        writes += words[0].startswith("legacy-")
        if words[0] == "legacy-insert":
            expected[words[1]] = (None, 0)
        elif words[0] == "legacy-set":
            expected[words[1]] = (words[2], int(words[3]))
        elif words[0] == "legacy-delete":
            deleted.add(words[1])
            expected.pop(words[1], None)
    held = {
        str(d["_id"]): d
        for d in mongo_database()["disputes"].find({"_id": {"$in": [ObjectId(i) for i in expected.keys() | deleted]}})
    }
    lost = sum(record_id not in held for record_id in expected)
    stale = sum(
        record_id in held
        and (
            held[record_id].get("legacyViews") != views
            or (description is not None and held[record_id].get("description") != description)
        )
        for record_id, (description, views) in expected.items()
    )
    return {
        "writes": writes,
        "deletes": len(deleted),
        "lost": lost,
        "stale": stale,
        "resurrected": len(deleted & held.keys()),
    }
