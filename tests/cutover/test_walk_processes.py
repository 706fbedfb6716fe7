"""Issue 22's "Done means": real writer processes (every mirror setting, mode caches from far older than the
operator's settling to fresher) append to disputes without stopping, and a legacy-app process writes the shared
legacy store directly (inserts, `$set` with its own clock 3 h ahead or behind, `$inc` of a key no mapping knows,
deletes) while Mongo leads, while an operator walks `dispute` and `notification` mongo → … → postgres → … → mongo
taking only the steps and running only the commands `store_mode` lists (parents included), with no override.
Every acknowledged write, app and legacy, must be in Mongo at the end with its last value; nothing deleted back.

The app writers never pause: a listed `verify` runs under their writes (item 7, verify converges under writes).
The legacy app is stopped before the backfill that gates `dual_mongo_primary → dual` (nothing sees what it
writes after: README) and started again once Mongo leads.
"""

import json
import shlex
import signal
import time
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cutover.models import StoreModeChange
from cutover.modes.cache import current_mode, invalidate_mode_cache
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.operations.mode_changes import CHANGE_PERMISSION
from cutover.operations.readiness import domain_readiness
from cutover.testing import set_store_mode
from tests.cutover.fence_helpers import (
    PARENTS,
    acknowledged_writes,
    disputes_in_both_stores,
    legacy_outcome,
    lost_writes,
    poll,
    repair_everything,
    start_legacy_writer,
    start_relay,
    start_writer,
    stop_the_legacy_app,
    writer_errors,
)
from tests.cutover.helpers import make_user
from tests.factories import a_notification, a_user, put_everywhere

pytestmark = pytest.mark.django_db(transaction=True)

DISPUTES = 6
SETTLING = 0.5
# (name, CUTOVER_MIRROR, CUTOVER_MODE_CACHE_SECONDS)
WRITERS = [("stale-bg", "background", "60"), ("relay", "relay", "2"), ("inline", "inline", "0.3")]
WRITERS += [("stale-inline", "inline", "60")]
WALK = ["dual_mongo_primary", "dual", "postgres", "dual", "dual_mongo_primary", "mongo"]


def test_walking_there_and_back_under_writes_by_the_listed_steps_loses_nothing(
    shared_mongo, tmp_path, capsys, settings
):
    settings.CUTOVER_MODE_CACHE_SECONDS = SETTLING
    settings.CUTOVER_SOAK_SECONDS, settings.CUTOVER_SOAK_MIN_READS = 1.0, 0  # no reads in this run
    ids = disputes_in_both_stores(DISPUTES)
    notifications = [a_notification(put_everywhere("auth", a_user()).id, age=timedelta(0)) for _ in range(3)]
    for domain in (*PARENTS, "dispute", "notification"):
        set_store_mode(domain, "mongo")
    make_user("operator", CHANGE_PERMISSION)
    writers = [start_writer(name, mirror, cache, ids, tmp_path, 600) for name, mirror, cache in WRITERS]
    writers.append(("legacy", start_legacy_writer(tmp_path, ids)))
    relay = start_relay()
    started = time.monotonic()
    try:
        assert poll(lambda: all((tmp_path / f"ready-{name}").exists() for name, _ in writers), seconds=120)
        (tmp_path / "start").touch()
        (tmp_path / "legacy-on").touch()  # the legacy app writes while Mongo leads
        time.sleep(1.0)
        done = Counter()
        for target in WALK:
            if target == "dual":
                stop_the_legacy_app(tmp_path)  # before the copy that gates Postgres leading
            for domain in ("dispute", "notification"):
                _take_listed_steps_to(domain, StoreMode(target), done)
            if StoreMode(target).position < StoreMode.DUAL.position:
                (tmp_path / "legacy-on").touch()  # Mongo leads again: so does the legacy app
        time.sleep(1.0)
        (tmp_path / "stop").touch()
        outputs = {name: process.communicate(timeout=90)[0] for name, process in writers}
    finally:
        (tmp_path / "stop").touch()
        for _, process in writers:
            process.kill()
        relay.send_signal(signal.SIGTERM)
        relay.wait(timeout=30)

    repair_everything()
    acknowledged = acknowledged_writes(outputs)
    lost = lost_writes(acknowledged)
    legacy = legacy_outcome(outputs.pop("legacy"))
    summary = {
        "acknowledged": len(acknowledged),
        "lost": lost,
        "legacy": legacy,
        "done": done,
        "not_acknowledged": writer_errors(outputs),
        "seconds": round(time.monotonic() - started, 1),
    }
    with capsys.disabled():
        print("\nwalk run: " + json.dumps(summary, sort_keys=True))
    assert lost["mongo"] == 0, summary  # the final mode's store holds every acknowledged write
    assert legacy["lost"] == legacy["resurrected"] == legacy["stale"] == 0, summary
    assert legacy["writes"] >= 30 and legacy["deletes"] >= 1, summary
    mongo = domain_spec("notification").backends()["mongo"]
    assert [mongo.get_notification(n.id) for n in notifications] == notifications  # the second domain's round trip
    assert not StoreModeChange.objects.exclude(overridden_refusal="").exists()
    assert len(acknowledged) >= 100, summary


def _take_listed_steps_to(domain: str, target: StoreMode, done: Counter) -> None:
    """What an operator does with `store_mode DOMAIN`: run the listed commands of the step to `target`, wait
    where a blocker says to, then take the step."""
    for _ in range(40):
        invalidate_mode_cache()
        readiness = domain_readiness(domain)
        step = next(step for step in readiness.steps if step.to_mode is target)
        if step.allowed:
            call_command(*_words(step.command)[1:], stdout=StringIO())
            done[f"{readiness.mode.value}->{target.value}"] += 1
            assert current_mode(domain) is target
            return
        commands = [command for blocker in step.blockers for command in blocker.commands]  # each, in order
        if not commands:  # the settling or the soak: wait
            time.sleep(0.3)
            continue
        for command in commands:
            _run_listed(command, done)
            if "--to" in command:
                break  # a parent moved: read the plan again
        time.sleep(0.05)
    raise AssertionError(f"{domain} never reached {target.value}: {[str(b) for b in step.blockers]}")


def _run_listed(command: str, done: Counter) -> None:
    """Run a listed command as the operator would, writes flowing (verify converges under writes: no pause)."""
    words = _words(command)
    done[words[1]] += 1
    try:
        call_command(*words[1:], stdout=StringIO(), stderr=StringIO())
    except CommandError as refusal:  # a failed verify or a parent's step still settling: shown again next round
        if "--to" not in words and words[1] != "verify":
            raise
        done[f"{words[1]} refused: {str(refusal)[:60]}"] += 1


def _words(command: str) -> list[str]:
    return [{"USERNAME": "operator", "WHY": "the walk of the test"}.get(word, word) for word in shlex.split(command)]
