"""The write fence of store mode changes (issue 17), in one process: a repository built before a
change is a process whose cache has not reloaded yet; threads stand in for concurrent processes."""

import threading

import pytest
from django.core.management import call_command
from django.urls import reverse

import cutover.mirror.dual
import cutover.modes.fence
import cutover.operations.mode_changes
from cutover.factory import repository_for
from cutover.mirror.outbox import outbox_repair_pending
from cutover.models import MirrorOutboxEntry, StoreModeChange
from cutover.modes.cache import current_mode
from cutover.modes.fence import fence_holders, fenced_write
from cutover.modes.store_mode import StoreMode
from cutover.operations.mode_changes import CHANGE_PERMISSION, StoreModeChangeRefused, store_mode_change
from cutover.operations.transition import mode_transition
from cutover.store.legacy import new_id
from tests.cutover.fence_helpers import (
    InThread,
    disputes_in_both_stores,
    evidence_urls,
    poll,
    ready_for_postgres_to_lead,
)
from tests.cutover.helpers import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin():
    return make_user("alice", CHANGE_PERMISSION)


def _change(admin, to_mode: str):
    return store_mode_change(domain="dispute", to_mode=to_mode, user=admin, reason="flip (test reason)")


def test_issue_17_reproduction_dual_to_mongo_primary(settings, admin):
    (rid,) = disputes_in_both_stores()
    settings.CUTOVER_MIRROR = "relay"  # and no relay running
    actor = new_id()
    p1 = repository_for("dispute")  # a process whose cache still says dual
    _change(admin, "dual_mongo_primary")  # outbox empty: allowed
    p2 = repository_for("dispute")  # a process that has reloaded
    p1.add_evidence(rid, url="http://A", uploaded_by_id=actor)  # acknowledged
    p2.add_evidence(rid, url="http://B", uploaded_by_id=actor)
    outbox_repair_pending()
    assert evidence_urls(rid) == {"mongo": {"http://A", "http://B"}, "postgres": {"http://A", "http://B"}}


def test_issue_17_reproduction_mongo_primary_to_dual(settings, admin):
    (rid,) = disputes_in_both_stores()
    ready_for_postgres_to_lead()
    settings.CUTOVER_MIRROR = "relay"
    _change(admin, "dual_mongo_primary")
    ready_for_postgres_to_lead()  # each entry into dual_mongo_primary asks for a new forward copy
    actor = new_id()
    p1 = repository_for("dispute")  # still says dual_mongo_primary
    _change(admin, "dual")
    p2 = repository_for("dispute")
    p2.add_evidence(rid, url="http://B", uploaded_by_id=actor)  # Postgres + outbox row; Mongo not yet
    p1.add_evidence(rid, url="http://A", uploaded_by_id=actor)  # unfenced, it would build on Mongo (no B)
    outbox_repair_pending()
    assert evidence_urls(rid) == {"mongo": {"http://A", "http://B"}, "postgres": {"http://A", "http://B"}}


def test_a_write_acknowledged_before_the_change_is_in_the_new_primary_first(settings, admin):
    (rid,) = disputes_in_both_stores()
    settings.CUTOVER_MIRROR = "relay"  # no relay: the write's mirror to Mongo stays pending
    repository_for("dispute").add_evidence(rid, url="http://A", uploaded_by_id=new_id())
    assert MirrorOutboxEntry.objects.filter(status="pending", target="mongo").count() == 1
    _change(admin, "dual_mongo_primary")  # mirrors it before Mongo leads
    assert not MirrorOutboxEntry.objects.filter(status="pending").exists()
    repository_for("dispute").add_evidence(rid, url="http://B", uploaded_by_id=new_id())
    assert evidence_urls(rid) == {"mongo": {"http://A", "http://B"}, "postgres": {"http://A", "http://B"}}


def test_a_write_committed_between_the_premirror_and_the_fence_is_mirrored_under_it(settings, admin, monkeypatch):
    (rid,) = disputes_in_both_stores()
    settings.CUTOVER_MIRROR = "relay"
    real_hold = cutover.operations.mode_changes.hold_fence_for_change

    def write_then_hold(domain):  # another process's dual write lands just before the fence
        add = repository_for("dispute").add_evidence
        InThread(lambda: add(rid, url="http://A", uploaded_by_id=new_id())).join()
        return real_hold(domain)

    monkeypatch.setattr(cutover.operations.mode_changes, "hold_fence_for_change", write_then_hold)
    _change(admin, "dual_mongo_primary")
    repository_for("dispute").add_evidence(rid, url="http://B", uploaded_by_id=new_id())
    assert evidence_urls(rid) == {"mongo": {"http://A", "http://B"}, "postgres": {"http://A", "http://B"}}


def test_a_change_waits_for_a_write_in_flight(settings, admin, monkeypatch):
    """A Mongo-primary write holds the fence until its Postgres copy commits: `dual` waits for it."""
    (rid,) = disputes_in_both_stores()
    ready_for_postgres_to_lead()
    _change(admin, "dual_mongo_primary")
    ready_for_postgres_to_lead()  # each entry into dual_mongo_primary asks for a new forward copy
    in_mongo, release = threading.Event(), threading.Event()
    real_mirror = cutover.mirror.dual.mirror_record

    def slow_mirror(*args):
        in_mongo.set()
        assert release.wait(30)
        real_mirror(*args)

    monkeypatch.setattr(cutover.mirror.dual, "mirror_record", slow_mirror)
    writer = InThread(lambda: repository_for("dispute").add_evidence(rid, url="http://A", uploaded_by_id=new_id()))
    assert in_mongo.wait(10)
    change = InThread(lambda: _change(admin, "dual"))
    assert poll(lambda: fence_holders("dispute").change_waiting)
    assert str(mode_transition("dispute")) == "switching: a mode change waits for 1 write(s) in flight to finish"
    assert not change.done
    release.set()
    writer.join()
    change.join()
    assert evidence_urls(rid)["postgres"] == {"http://A"}  # in Postgres before Postgres led
    assert current_mode("dispute") is StoreMode.DUAL


def test_a_write_waits_for_a_change_in_progress_then_follows_the_new_mode(settings, admin, monkeypatch, capsys):
    (rid,) = disputes_in_both_stores()
    settings.CUTOVER_MIRROR = "relay"
    stale = repository_for("dispute")  # dual
    fenced, release = threading.Event(), threading.Event()
    real_drain = cutover.operations.mode_changes.outbox_drain

    def held_drain(**kwargs):
        if kwargs["wait_for_locked"]:  # under the fence
            fenced.set()
            assert release.wait(30)
        return real_drain(**kwargs)

    monkeypatch.setattr(cutover.operations.mode_changes, "outbox_drain", held_drain)
    change = InThread(lambda: _change(admin, "dual_mongo_primary"))
    assert fenced.wait(10)
    writer = InThread(lambda: stale.add_evidence(rid, url="http://A", uploaded_by_id=new_id()))
    assert poll(lambda: fence_holders("dispute").writes_waiting == 1)
    call_command("store_mode")
    listed = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("dispute "))
    assert "switching: a mode change holds the write fence; 1 write(s) wait" in listed
    assert not writer.done
    release.set()
    change.join()
    writer.join()
    assert evidence_urls(rid) == {"mongo": {"http://A"}, "postgres": {"http://A"}}
    assert not MirrorOutboxEntry.objects.filter(target="mongo", status="pending").exists()  # written as Mongo-primary


def test_mongo_down_during_a_flip_refuses_it_and_writes_go_on(settings, admin, mongo_outage):
    (rid,) = disputes_in_both_stores()
    settings.CUTOVER_MIRROR = "relay"
    repository_for("dispute").add_evidence(rid, url="http://A", uploaded_by_id=new_id())
    mongo_outage.start()
    with pytest.raises(StoreModeChangeRefused, match="1 pending mirror write.s. of dispute to mongo could not be made"):
        _change(admin, "dual_mongo_primary")
    assert current_mode("dispute") is StoreMode.DUAL
    repository_for("dispute").add_evidence(rid, url="http://B", uploaded_by_id=new_id())  # still acknowledged
    mongo_outage.end()
    _change(admin, "dual_mongo_primary")
    repository_for("dispute").add_evidence(rid, url="http://C", uploaded_by_id=new_id())
    assert evidence_urls(rid) == {"mongo": {"http://A", "http://B", "http://C"}} | {
        "postgres": {"http://A", "http://B", "http://C"}
    }


def test_two_admins_flipping_at_once_one_wins(admin):
    disputes_in_both_stores()
    other = make_user("bob", CHANGE_PERMISSION)
    both = threading.Barrier(2)

    def flip(user):
        both.wait(10)
        return store_mode_change(
            domain="dispute", to_mode="dual_mongo_primary", user=user, reason="at once (test reason)"
        )

    flips = [InThread(lambda user=user: flip(user)) for user in (admin, other)]
    outcomes = []
    for flip_thread in flips:
        try:
            outcomes.append(flip_thread.join().to_mode)
        except StoreModeChangeRefused as refusal:
            outcomes.append(str(refusal))
    assert sorted(outcomes) == ["dispute is already in dual_mongo_primary", "dual_mongo_primary"]
    assert StoreModeChange.objects.count() == 1


def test_a_change_is_refused_when_a_write_holds_the_fence_too_long(admin, monkeypatch):
    disputes_in_both_stores()
    monkeypatch.setattr(cutover.modes.fence, "CHANGE_WAIT_SECONDS", 1)
    holding, release = threading.Event(), threading.Event()

    def long_write():
        with fenced_write("dispute", StoreMode.DUAL):
            holding.set()
            assert release.wait(30)

    writer = InThread(long_write)
    assert holding.wait(10)
    try:
        with pytest.raises(StoreModeChangeRefused, match="writes to dispute kept the fence for more than 1 s"):
            _change(admin, "dual_mongo_primary")
    finally:
        release.set()
        writer.join()
    assert current_mode("dispute") is StoreMode.DUAL
    assert _change(admin, "dual_mongo_primary").to_mode == "dual_mongo_primary"  # free again


def test_settling_after_a_change_says_what_it_waits_for(settings, admin, capsys):
    settings.CUTOVER_MODE_CACHE_SECONDS = 60
    _change(admin, "dual_mongo_primary")  # from mongo: processes not yet reloaded read Mongo; their writes are fenced
    transition = mode_transition("dispute")
    assert transition.phase == "settling"
    assert "may still read from mongo; their writes already follow dual_mongo_primary. A backfill, verify or soak " in (
        str(transition)
    )
    call_command("store_mode")
    assert "settling: until" in capsys.readouterr().out
    settings.CUTOVER_MODE_CACHE_SECONDS = 0
    assert str(mode_transition("dispute")) == "steady"


def test_admin_shows_a_domain_mid_transition(client, settings, admin):
    settings.CUTOVER_MODE_CACHE_SECONDS = 60
    _change(admin, "dual_mongo_primary")
    client.force_login(admin)
    listing = client.get(reverse("admin:cutover_domainstoremode_changelist")).content.decode()
    assert "column-transition" in listing
    assert "settling: until" in listing
    page = client.get(reverse("admin:cutover_domainstoremode_change", args=["dispute"])).content.decode()
    assert "may still read from mongo; their writes already follow dual_mongo_primary" in page
