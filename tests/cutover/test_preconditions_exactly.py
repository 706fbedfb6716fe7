"""Each mode precondition (cutover/operations/preconditions.py), called directly on rows with chosen timestamps:
which step it guards, which rows count (status, direction, dry run, domain, time order), the exact refusal and fix."""

from datetime import UTC, datetime, timedelta

import pytest

from cutover.models import BackfillRun, MirrorOutboxEntry, StoreModeChange, VerifyResult
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.operations import preconditions as pre
from cutover.testing import set_store_mode

pytestmark = pytest.mark.django_db

M, DMP, D, PG = StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL, StoreMode.POSTGRES
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STEPS = [(a, b) for a in MIGRATION_ORDER for b in MIGRATION_ORDER if abs(a.position - b.position) == 1]


def _entered(domain: str, mode: StoreMode, at: datetime, *, source: StoreMode | None = None) -> None:
    """A recorded step into `mode` from `source` (default: the mode before it): what the preconditions count from."""
    before = source or MIGRATION_ORDER[MIGRATION_ORDER.index(mode) - 1]
    change = StoreModeChange.objects.create(
        domain=domain, from_mode=before.value, to_mode=mode.value, changed_by_name="t", reason="r"
    )
    StoreModeChange.objects.filter(pk=change.pk).update(created_at=at)


def _run(domain: str, started: datetime, finished: datetime, **fields) -> BackfillRun:
    fields = {"direction": "forward", "status": "finished", "dry_run": False} | fields
    run = BackfillRun.objects.create(domain=domain, **fields)
    BackfillRun.objects.filter(pk=run.pk).update(started_at=started, finished_at=finished)
    run.refresh_from_db()
    return run


def _verified(domain: str, started: datetime, passed: bool = True) -> None:
    VerifyResult.objects.create(domain=domain, started_at=started, passed=passed)


def _forward(domain: str = "payment"):
    return pre.backfilled_and_verified_before_postgres_leads(domain, DMP, D)


def _reverse(domain: str = "payment"):
    return pre.reverse_backfilled_before_mongo_leads(domain, D, DMP)


SETTLED = timedelta(seconds=2)  # CUTOVER_MODE_CACHE_SECONDS in these tests: when every process follows a change


@pytest.fixture(autouse=True)
def _settling(settings):
    settings.CUTOVER_MODE_CACHE_SECONDS = SETTLED.total_seconds()


@pytest.mark.parametrize(
    ("check", "guarded"),
    [
        (pre.backfilled_and_verified_before_postgres_leads, (DMP, D)),
        (pre.reverse_backfilled_before_mongo_leads, (D, DMP)),
        (pre.verified_in_dual_before_postgres_only, (D, PG)),
    ],
)
def test_the_evidence_checks_guard_only_their_step(check, guarded):
    _entered("payment", D, T0, source=PG)  # a rollback: the reverse copy is needed
    for step in STEPS:
        assert (check("payment", *step) is not None) == (step == guarded), step


def test_no_backfill_at_all():
    refusal = _forward()
    assert (refusal.reason, refusal.fix) == (
        "no forward backfill of payment has finished.",
        "run `manage.py backfill payment`.",
    )
    assert str(refusal) == "no forward backfill of payment has finished. Fix: run `manage.py backfill payment`."


def test_only_a_backfill_that_started_after_every_process_followed_the_mode_counts():
    _entered("payment", DMP, T0)
    _run("payment", T0 + SETTLED, T0 + timedelta(minutes=5))  # started as the settling ended: not after
    _verified("payment", T0 + timedelta(minutes=6))
    refusal = _forward()
    assert refusal.reason == (
        "no forward backfill of payment has finished that started after 2026-03-01 12:00:02 UTC, "
        "when every process followed payment into dual_mongo_primary."
    )
    assert refusal.fix == "run `manage.py backfill payment`."  # the settling is long over
    _run("payment", T0 + SETTLED + timedelta(seconds=1), T0 + timedelta(minutes=7))
    _verified("payment", T0 + timedelta(minutes=8))
    assert _forward() is None


def test_a_refusal_during_the_settling_says_until_when_to_wait():
    from django.utils import timezone

    _entered("payment", DMP, timezone.now())
    assert pre.failed_preconditions("payment", DMP, D)  # and the fix says to wait first:
    assert _forward().fix.startswith("wait until ")


def test_the_latest_entry_into_the_mode_is_the_one_that_counts():
    _entered("payment", DMP, T0)
    _entered("payment", DMP, T0 + timedelta(hours=2))  # left and came back: dual writes began again
    _run("payment", T0 + timedelta(hours=1), T0 + timedelta(hours=1, minutes=5))
    _verified("payment", T0 + timedelta(hours=1, minutes=6))
    assert "after 2026-03-01 14:00:02 UTC" in _forward().reason
    _entered("other", DMP, T0 + timedelta(hours=3))  # another domain's change is not this one's
    _entered("payment", D, T0 + timedelta(hours=3))  # nor a change to another mode
    _run("payment", T0 + timedelta(hours=2, minutes=1), T0 + timedelta(hours=2, minutes=5))
    _verified("payment", T0 + timedelta(hours=2, minutes=6))
    assert _forward() is None


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "failed"},
        {"status": "stopped"},
        {"status": "running"},
        {"dry_run": True},
        {"direction": "reverse"},
        {"domain": "marketplace"},
    ],
    ids=str,
)
def test_runs_that_do_not_count(fields):
    fields = dict(fields)  # the parameter is shared between runs of this test in one process
    domain = fields.pop("domain", "payment")
    _run(domain, T0, T0 + timedelta(minutes=1), **fields)
    _verified("payment", T0 + timedelta(minutes=2))
    assert _forward().reason == "no forward backfill of payment has finished."


def test_the_latest_verify_must_pass_and_start_after_the_latest_backfill_finished():
    _run("payment", T0, T0 + timedelta(minutes=10))
    _verified("payment", T0 + timedelta(minutes=10))  # started as the backfill finished: not after
    _verified("marketplace", T0 + timedelta(minutes=11))  # another domain's
    refusal = _forward()
    assert (refusal.reason, refusal.fix) == (
        "no verify of payment has started since its forward backfill finished at 2026-03-01 12:10:00 UTC.",
        "run `manage.py verify payment` and fix what it reports.",
    )
    _verified("payment", T0 + timedelta(minutes=12))
    assert _forward() is None
    _verified("payment", T0 + timedelta(minutes=13), passed=False)  # the latest counts, not any passing one
    assert _forward().reason.startswith("the latest verify of payment (finished ")
    assert _forward().reason.endswith(") failed.")
    _verified("payment", T0 + timedelta(minutes=14))
    assert _forward() is None

    _run("payment", T0 + timedelta(minutes=20), T0 + timedelta(minutes=30))  # a newer backfill needs a newer verify
    assert "finished at 2026-03-01 12:30:00 UTC" in _forward().reason
    _run("payment", T0 + timedelta(minutes=1), T0 + timedelta(minutes=25))  # started earlier, finished earlier
    assert "finished at 2026-03-01 12:30:00 UTC" in _forward().reason


def test_the_rollback_needs_a_reverse_backfill_started_in_dual_then_a_verify():
    """Leaving postgres needs nothing copied first; Mongo leading again needs the copy made in dual (issue 22)."""
    assert pre.failed_preconditions("payment", PG, D) == []
    _entered("payment", PG, T0)
    _run("payment", T0 + timedelta(minutes=1), T0 + timedelta(minutes=2), direction="reverse")  # made in postgres
    _verified("payment", T0 + timedelta(minutes=3))
    _entered("payment", D, T0 + timedelta(minutes=10), source=PG)
    refusal = _reverse()
    assert (refusal.reason, refusal.fix) == (
        "no reverse backfill of payment has finished that started after 2026-03-01 12:10:02 UTC, "
        "when every process followed payment into dual.",
        "run `manage.py backfill --reverse payment`.",
    )
    _run("payment", T0 + timedelta(minutes=11), T0 + timedelta(minutes=12))  # a forward one: not this
    _run("payment", T0 + timedelta(minutes=11), T0 + timedelta(minutes=13), direction="reverse")
    assert _reverse().reason == (
        "no verify of payment has started since its reverse backfill finished at 2026-03-01 12:13:00 UTC."
    )
    _verified("payment", T0 + timedelta(minutes=14))
    assert _reverse() is None


def test_a_dual_entered_from_dual_mongo_primary_needs_no_reverse_copy():
    """Mongo led until then and every write since is mirrored to it: a forward walk may step back at once."""
    _entered("payment", D, T0)
    assert _reverse() is None
    _entered("payment", D, T0 + timedelta(hours=1), source=PG)
    assert _reverse() is not None


def test_postgres_only_needs_the_latest_verify_to_pass_in_dual():
    check = pre.verified_in_dual_before_postgres_only
    _verified("payment", T0 - timedelta(minutes=1))  # of dual_mongo_primary: says nothing about dual
    _entered("payment", D, T0)
    refusal = check("payment", D, PG)
    assert (refusal.reason, refusal.fix) == (
        "no verify of payment has started since every process followed payment into dual at 2026-03-01 12:00:02 UTC.",
        "run `manage.py verify payment` and fix what it reports.",
    )
    _verified("payment", T0 + timedelta(seconds=3))
    assert check("payment", D, PG) is None
    _verified("payment", T0 + timedelta(seconds=4), passed=False)
    assert check("payment", D, PG).reason.endswith(") failed.")


def _outbox(domain: str, target: str, status: str) -> None:
    MirrorOutboxEntry.objects.create(domain=domain, collection="c", record_id="r", target=target, status=status)


@pytest.mark.parametrize(
    ("step", "target", "other"), [((D, DMP), "mongo", "postgres"), ((DMP, D), "postgres", "mongo")]
)
def test_switching_the_primary_waits_for_dead_mirror_writes_to_it(step, target, other):
    """Pending mirror writes to the new primary are made by the change itself, under the fence (cutover.modes.fence);
    dead ones need a person, so they refuse the switch."""
    check = pre.no_dead_mirror_writes_before_switching_primary
    _outbox("payment", target, "done")
    _outbox("payment", target, "pending")
    _outbox("payment", other, "dead")
    _outbox("marketplace", target, "dead")
    assert check("payment", *step) is None
    _outbox("payment", target, "dead")
    _outbox("payment", target, "dead")
    refusal = check("payment", *step)
    assert (refusal.reason, refusal.fix) == (
        f"2 mirror write(s) of payment to {target} are dead (gave up retrying), so {target} is behind.",
        "fix their cause (see last_error in admin: Mirror outbox entries), then run `manage.py requeue_dead_letters "
        "--domain payment --user YOU --reason '...'` (or the outbox admin's action) and `manage.py repair_mirror "
        "--domain payment`.",
    )
    for other_step in STEPS:
        if other_step not in (step, step[::-1]):  # the reverse switch waits for writes to the other store
            assert check("payment", *other_step) is None, other_step
    assert f"to {other} are dead" in check("payment", *step[::-1]).reason


def test_parents_lead_only_towards_postgres():
    check = pre.parents_lead_first
    set_store_mode("auth", DMP)
    set_store_mode("marketplace", M)
    refusal = check("payment", DMP, D)
    assert (refusal.reason, refusal.fix) == (
        "parent domain(s) auth, marketplace of payment are not at dual yet.",
        "move auth, marketplace to dual first.",
    )
    assert check("payment", M, DMP) is None  # not yet Postgres-led
    assert check("payment", PG, D) is None and check("payment", D, DMP) is None  # going back
    assert check("payment", D, D) is None and check("payment", PG, PG) is None  # not a move at all
    set_store_mode("auth", D)
    assert check("payment", DMP, D).reason == "parent domain(s) marketplace of payment are not at dual yet."
    set_store_mode("marketplace", PG)
    assert check("payment", DMP, D) is None and check("payment", D, PG) is None
    set_store_mode("auth", DMP)
    assert check("payment", D, PG).reason == "parent domain(s) auth of payment are not at dual yet."


@pytest.mark.parametrize("to_mode", MIGRATION_ORDER, ids=str)
def test_modes_that_write_mongo_need_mongo_enabled(settings, to_mode):
    check = pre.mongo_enabled_for_modes_that_use_it
    settings.MONGO_CONNECT_MODE = "auto"
    assert check("payment", PG, to_mode) is None
    settings.MONGO_CONNECT_MODE = "disabled"
    refusal = check("payment", PG, to_mode)
    if to_mode is PG:
        assert refusal is None
    else:
        assert (refusal.reason, refusal.fix) == (
            f"{to_mode.value} needs MongoDB but MONGO_CONNECT_MODE=disabled.",
            "set MONGO_CONNECT_MODE=auto (and MONGO_URL) on every process first.",
        )


def test_every_failed_precondition_is_listed_in_order(settings):
    settings.MONGO_CONNECT_MODE = "disabled"
    _outbox("payment", "postgres", "dead")
    refusals = pre.failed_preconditions("payment", DMP, D)
    assert [r.reason.split(" ")[0] for r in refusals] == ["dual", "1", "parent", "no"]
    assert pre.failed_preconditions("payment", M, DMP)[0].reason.startswith("dual_mongo_primary needs MongoDB")
    settings.MONGO_CONNECT_MODE = "auto"
    assert pre.failed_preconditions("payment", M, DMP) == []
