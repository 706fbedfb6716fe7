"""Several real writer processes append distinguishable evidence URLs to the same disputes while the
domain flips between `dual_mongo_primary` and `dual` (or stays in one of them), on the embedded
legacy store shared through its files: every acknowledged write must be in both stores afterwards.

The writers cache modes for different periods (so most act on an outdated mode right after a flip)
and use every mirror setting (`background`, `relay` with a relay process, `inline`); in the flip run
one more writer is killed with SIGKILL halfway, and the flips must go on after it.
"""

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.db import connection

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.factory import repository_for
from cutover.modes.fence import fence_holders
from cutover.modes.registry import domain_spec
from cutover.operations.mode_changes import CHANGE_PERMISSION, StoreModeChangeRefused, store_mode_change
from cutover.store.legacy import new_id
from cutover.testing import set_store_mode
from tests.conftest import ROOT, other_process_env
from tests.cutover.fence_helpers import (
    InThread,
    acknowledged_writes,
    disputes_in_both_stores,
    evidence_urls,
    lost_writes,
    poll,
    ready_for_postgres_to_lead,
    repair_everything,
    start_relay,
    start_writer,
    writer_errors,
)
from tests.cutover.helpers import make_user

pytestmark = pytest.mark.django_db(transaction=True)

DISPUTES = 6
WRITE_SECONDS = 8.0  # the flips to dual make a backfill and a verify each
# (name, CUTOVER_MIRROR, CUTOVER_MODE_CACHE_SECONDS)
WRITERS = [("bg", "background", "5"), ("relay", "relay", "2"), ("inline", "inline", "0.3")]
FLIP = {"dual": "dual_mongo_primary", "dual_mongo_primary": "dual"}


@pytest.mark.parametrize("scenario", ["flip", "dual", "dual_mongo_primary"])
def test_no_acknowledged_write_is_lost_across_processes(scenario, shared_mongo, tmp_path, capsys):
    ids = disputes_in_both_stores(DISPUTES)
    ready_for_postgres_to_lead()
    set_store_mode("dispute", scenario if scenario != "flip" else "dual")
    writers = [start_writer(name, mirror, cache, ids, tmp_path, WRITE_SECONDS) for name, mirror, cache in WRITERS]
    if scenario == "flip":
        writers.append(start_writer("killed", "background", "5", ids, tmp_path, WRITE_SECONDS))
    relay = start_relay()
    try:
        assert poll(lambda: all((tmp_path / f"ready-{name}").exists() for name, _ in writers), seconds=90)
        (tmp_path / "start").touch()
        flips = _flip_while_writing(writers) if scenario == "flip" else _wait_for(writers)
        outputs = {name: process.communicate(timeout=60)[0] for name, process in writers}
    finally:
        for _, process in writers:
            process.kill()
        relay.send_signal(signal.SIGTERM)
        relay.wait(timeout=30)

    repair_everything()
    acknowledged = acknowledged_writes(outputs)
    lost = lost_writes(acknowledged)
    summary = {"scenario": scenario, "acknowledged": len(acknowledged), "lost": lost, "flips": flips}
    summary["not_acknowledged"] = writer_errors(outputs)
    with capsys.disabled():
        print("\nfence run: " + json.dumps(summary, sort_keys=True))
    assert lost == {"postgres": 0, "mongo": 0}, summary
    assert len(acknowledged) >= 60, summary  # the run really wrote
    stores = domain_spec("dispute").backends()
    assert all(stores["mongo"].get(rid) == stores["postgres"].get(rid) for rid in ids)
    if scenario == "flip":
        assert flips["done"] >= 6 and flips["after_kill"] >= 2, summary


def _flip_while_writing(writers: list[tuple[str, subprocess.Popen]]) -> Counter:
    """Flip the primary until the writers finish, making the copy and the verify each `dual_mongo_primary → dual`
    asks for under the writes; SIGKILL the `killed` writer halfway."""
    admin = make_user("flipper", CHANGE_PERMISSION)
    flips, started, killed = Counter(), time.monotonic(), False
    mode = "dual"
    while any(process.poll() is None for name, process in writers if name != "killed"):
        if not killed and time.monotonic() - started > WRITE_SECONDS / 2:
            dict(writers)["killed"].send_signal(signal.SIGKILL)
            killed = True
        if FLIP[mode] == "dual":  # every entry into dual_mongo_primary asks for a new forward copy, writes flowing
            backfill_domain("dispute")
            verify_domain("dispute")
        try:
            mode = store_mode_change(
                domain="dispute", to_mode=FLIP[mode], user=admin, reason="flip test (test reason)"
            ).to_mode
            flips["done"] += 1
            flips["after_kill"] += killed
        except StoreModeChangeRefused as refusal:
            flips[f"refused: {str(refusal)[:80]}"] += 1
        time.sleep(random.uniform(0.05, 0.3))  # pacing between flips, not synchronisation
    return flips


def _wait_for(writers: list[tuple[str, subprocess.Popen]]) -> Counter:
    for _, process in writers:
        process.wait(timeout=WRITE_SECONDS + 90)
    return Counter()


HOLD_THE_FENCE = """
import os, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escrow_project.settings")
import django
django.setup()
from django.db import transaction
from cutover.modes.fence import hold_fence_for_change
with transaction.atomic():
    hold_fence_for_change("dispute")
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_mode_change_killed_while_holding_the_fence_releases_the_writers(shared_mongo):
    """An admin process dies mid-change: its transaction (and the fence) goes with its connection."""
    (rid,) = disputes_in_both_stores()
    command = [sys.executable, "-c", HOLD_THE_FENCE]
    change = subprocess.Popen(command, cwd=ROOT, env=other_process_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert change.stdout.readline().strip() == "held"
        writer = InThread(lambda: repository_for("dispute").add_evidence(rid, url="http://A", uploaded_by_id=new_id()))
        assert poll(lambda: fence_holders("dispute").writes_waiting == 1)
        assert not writer.done
    finally:
        change.send_signal(signal.SIGKILL)
        change.wait(timeout=30)
    writer.join()
    connection.close()
    assert evidence_urls(rid)["postgres"] == {"http://A"}
