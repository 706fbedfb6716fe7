"""cutover.operations.readiness: the one computation of where a domain stands (dashboard, forms, cutover_check,
health)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cutover.models import (
    BackfillReject,
    BackfillRun,
    MirrorOutboxEntry,
    ScheduledTaskRun,
    ShadowMismatch,
    StoreModeChange,
    VerifyResult,
)
from cutover.modes.registry import domain_names
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.operations.mode_changes import CHANGE_PERMISSION, store_mode_change_refusal
from cutover.operations.readiness import ITEM_KEYS, domain_readiness
from cutover.testing import set_store_mode
from tests.cutover.helpers import make_user

pytestmark = pytest.mark.django_db

M, DMP, D, PG = StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL, StoreMode.POSTGRES


def _copied_and_verified(domain: str, *, direction: str = "forward") -> BackfillRun:
    past = timezone.now() - timedelta(hours=1)
    run = BackfillRun.objects.create(domain=domain, direction=direction, status="finished")
    BackfillRun.objects.filter(pk=run.pk).update(finished_at=past + timedelta(minutes=1))
    VerifyResult.objects.create(domain=domain, started_at=past + timedelta(minutes=2), passed=True)
    return run


def test_a_mongo_domain_may_advance_and_has_every_checklist_item():
    readiness = domain_readiness("auth")
    assert readiness.mode is M
    assert [(s.to_mode, s.direction, s.allowed) for s in readiness.steps] == [(DMP, "advance", True)]
    assert readiness.roll_back is None
    assert readiness.advance.label == "Advance to dual_mongo_primary"
    assert readiness.advance.command == (
        "manage.py store_mode auth --to dual_mongo_primary --user USERNAME --reason 'WHY'"
    )
    assert tuple(item.key for item in readiness.checklist) == ITEM_KEYS
    assert readiness.item("backfill").ok and "not needed in mongo" in readiness.item("backfill").detail


def test_blockers_name_each_failing_precondition_with_its_command():
    set_store_mode("auth", DMP)
    BackfillReject.objects.create(
        domain="auth", collection="users", record_id="x", kind="bad_value", reason="r", document={}
    )
    step = domain_readiness("auth").advance
    assert step.to_mode is D and not step.allowed
    assert [b.command for b in step.blockers] == [
        "manage.py backfill auth",
        "manage.py verify auth",  # known to be needed after the backfill: listed now
        "manage.py backfill auth",  # the rejects' fix: rerun (or acknowledge, the second command)
    ]
    assert step.blockers[2].commands[1].startswith("manage.py backfill_rejects --domain auth --acknowledge")
    assert all("`" not in b.fix for b in step.blockers)


def test_parents_are_expanded_into_their_own_steps_each_once_parents_first():
    set_store_mode("dispute", DMP)
    set_store_mode("payment", DMP)
    _copied_and_verified("dispute")
    step = domain_readiness("dispute").advance
    commands = [b.command for b in step.blockers]
    assert commands == [
        # auth, the parent of every other, first and once
        "manage.py store_mode auth --to dual_mongo_primary --user USERNAME --reason 'WHY'",
        "manage.py backfill auth",
        "manage.py verify auth",
        "manage.py store_mode auth --to dual --user USERNAME --reason 'WHY'",
        "manage.py store_mode marketplace --to dual_mongo_primary --user USERNAME --reason 'WHY'",
        "manage.py backfill marketplace",
        "manage.py verify marketplace",
        "manage.py store_mode marketplace --to dual --user USERNAME --reason 'WHY'",
        # payment is already in dual_mongo_primary: its real blockers now, then its change
        "manage.py backfill payment",
        "manage.py verify payment",
        "manage.py store_mode payment --to dual --user USERNAME --reason 'WHY'",
    ]
    assert {b.domain for b in step.blockers} == {"auth", "marketplace", "payment"}
    parents = domain_readiness("dispute").item("parents")
    assert not parents.ok and "behind dual: auth, marketplace, payment" in parents.detail
    assert parents.commands[0] == commands[0]


@pytest.mark.parametrize("domain", ["auth", "payment", "dispute"])
@pytest.mark.parametrize("mode", list(MIGRATION_ORDER))
def test_a_step_is_allowed_exactly_when_the_service_would_take_it(domain, mode):
    """The readiness never disagrees with store_mode_change: same preconditions, same answer."""
    user = make_user(f"u-{domain}-{mode.value}", CHANGE_PERMISSION)
    set_store_mode(domain, mode)
    if domain == "payment":
        _copied_and_verified("payment")
        _copied_and_verified("payment", direction="reverse")
    for step in domain_readiness(domain).steps:
        refusal = store_mode_change_refusal(
            domain=domain, to_mode=step.to_mode.value, user=user, reason="r (test reason)"
        )
        assert (refusal is None) == step.allowed, (step, refusal)


def test_a_domain_in_dual_with_failures_is_not_ready_and_says_what():
    set_store_mode("auth", D)
    _copied_and_verified("auth")
    VerifyResult.objects.create(
        domain="auth",
        started_at=timezone.now(),
        passed=False,
        counts={"users": {"compared": 10, "missing_in_postgres": 2, "differing": 1, "documents": 12}},
    )
    ShadowMismatch.objects.create(domain="auth", method="get_user", kind="mismatch", primary_store="postgres")
    BackfillReject.objects.create(
        domain="auth", collection="users", record_id="x", kind="bad_value", reason="r", document={}
    )
    MirrorOutboxEntry.objects.create(
        domain="auth", collection="users", record_id="a" * 24, target="mongo", status="dead"
    )
    readiness = domain_readiness("auth")
    assert not readiness.ready
    failing = {item.key: item for item in readiness.checklist if not item.ok}
    assert set(failing) == {"verify", "mismatches", "rejects", "outbox_dead", "purge"}
    assert "FAILED" in failing["verify"].detail and "2 missing_in_postgres, 1 differing" in failing["verify"].detail
    # dual: Postgres leads, so the fix is its pending mirror writes and the reverse copy, then verify again
    assert failing["verify"].commands == (
        "manage.py repair_mirror --domain auth", "manage.py backfill --reverse auth", "manage.py verify auth"
    )
    assert failing["outbox_dead"].command == "manage.py requeue_dead_letters --domain auth --user YOU --reason '...'"
    assert failing["mismatches"].list_filter.model == "shadowmismatch"
    assert failing["rejects"].list_filter.query == {"domain": "auth", "status": "open"}
    assert readiness.roll_back.blockers[0].reason.startswith("1 mirror write(s) of auth to mongo are dead")


def test_pending_mirror_writes_are_ok_in_flight_and_failing_when_stuck():
    set_store_mode("auth", D)
    entry = MirrorOutboxEntry.objects.create(domain="auth", collection="users", record_id="a" * 24, target="mongo")
    assert domain_readiness("auth").item("outbox_pending").ok
    MirrorOutboxEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    item = domain_readiness("auth").item("outbox_pending")
    assert not item.ok and "stuck" in item.detail and item.command == "manage.py repair_mirror --domain auth"


def _entered(domain: str, from_mode: StoreMode, to_mode: StoreMode, *, ago: timedelta) -> None:
    set_store_mode(domain, to_mode)
    change = StoreModeChange.objects.create(
        domain=domain, from_mode=from_mode.value, to_mode=to_mode.value, changed_by_name="t", reason="r"
    )
    StoreModeChange.objects.filter(pk=change.pk).update(created_at=timezone.now() - ago)


def test_postgres_rolls_back_with_nothing_copied_first_and_dual_then_needs_the_reverse_copy():
    """Issue 22: the rollback's copy is made in dual, with writes flowing; it gates Mongo leading again."""
    set_store_mode("auth", PG)
    readiness = domain_readiness("auth")
    assert readiness.advance is None and readiness.roll_back.allowed
    assert readiness.item("backfill").ok and "not needed in postgres" in readiness.item("backfill").detail
    _entered("auth", PG, D, ago=timedelta(minutes=1))
    readiness = domain_readiness("auth")
    assert [b.command for b in readiness.roll_back.blockers] == [
        "manage.py backfill --reverse auth",
        "manage.py verify auth",
    ]
    assert readiness.item("backfill").command == "manage.py backfill --reverse auth"
    run = BackfillRun.objects.create(domain="auth", direction="reverse", status="finished", finished_at=timezone.now())
    VerifyResult.objects.create(domain="auth", started_at=run.finished_at + timedelta(seconds=1), passed=True)
    readiness = domain_readiness("auth")
    assert readiness.roll_back.allowed and readiness.item("backfill").ok and readiness.item("verify").ok


def test_backfill_counts_only_since_every_process_follows_the_mode():
    set_store_mode("auth", DMP)
    _copied_and_verified("auth")
    assert domain_readiness("auth").item("backfill").ok
    StoreModeChange.objects.create(
        domain="auth", from_mode="mongo", to_mode="dual_mongo_primary", changed_by_name="t", reason="r"
    )
    item = domain_readiness("auth").item("backfill")
    assert not item.ok and "since every process followed auth into dual_mongo_primary" in item.detail


def test_purge_freshness_follows_the_schedule():
    set_store_mode("notification", D)
    item = domain_readiness("notification").item("purge")
    assert not item.ok and "never ran" in item.detail
    now = timezone.now()
    ScheduledTaskRun.objects.create(
        task="notifications.purge_old_notifications",
        last_started_at=now,
        last_outcome="ok",
        last_success_at=now - timedelta(minutes=30),
    )
    assert domain_readiness("notification").item("purge").ok
    ScheduledTaskRun.objects.filter().update(last_success_at=now - timedelta(hours=3))
    assert not domain_readiness("notification").item("purge").ok
    set_store_mode("notification", M)  # the Mongo TTL indexes purge in mongo
    assert domain_readiness("notification").item("purge").ok
    assert domain_readiness("payment").item("purge").detail == "no scheduled purge for this domain"


def test_every_registered_domain_has_a_readiness():
    for name in domain_names():
        assert domain_readiness(name).domain == name


def test_a_fix_in_words_is_given_only_when_it_says_more_than_its_command():
    set_store_mode("auth", DMP)
    BackfillReject.objects.create(
        domain="auth", collection="users", record_id="x", kind="bad_value", reason="r", document={}
    )
    backfill, verify, rejects = domain_readiness("auth").advance.blockers
    assert backfill.fix == "run manage.py backfill auth." and backfill.fix_in_words == ""
    assert verify.fix_in_words.startswith("run manage.py verify auth once the backfill has finished")
    assert rejects.fix_in_words.startswith("fix the documents and rerun manage.py backfill auth, or acknowledge")
    assert domain_readiness("auth").item("backfill").fix_in_words == ""
