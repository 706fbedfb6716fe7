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


def _entered(domain: str, mode: StoreMode, at: datetime) -> None:
    """A recorded step into `mode` from the mode before it (what the preconditions count from)."""
    before = MIGRATION_ORDER[MIGRATION_ORDER.index(mode) - 1]
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
    return pre.reverse_backfilled_before_mongo_returns(domain, PG, D)


@pytest.mark.parametrize(
    ("check", "guarded"),
    [
        (pre.backfilled_and_verified_before_postgres_leads, (DMP, D)),
        (pre.reverse_backfilled_before_mongo_returns, (PG, D)),
    ],
)
def test_the_copy_checks_guard_only_their_step(check, guarded):
    for step in STEPS:
        assert (check("payment", *step) is not None) == (step == guarded), step


def test_no_backfill_at_all():
    refusal = _forward()
    assert (refusal.reason, refusal.fix) == (
        "no forward backfill of payment has finished.",
        "run `manage.py backfill payment`.",
    )
    assert str(refusal) == "no forward backfill of payment has finished. Fix: run `manage.py backfill payment`."


def test_only_a_backfill_that_started_after_dual_writes_began_counts():
    _entered("payment", DMP, T0)
    _run("payment", T0, T0 + timedelta(minutes=5))  # started at the same moment: not after
    _verified("payment", T0 + timedelta(minutes=6))
    refusal = _forward()
    assert refusal.reason == (
        "no forward backfill of payment has finished since 2026-03-01 12:00 UTC, "
        "when payment entered dual_mongo_primary."
    )
    _run("payment", T0 + timedelta(seconds=1), T0 + timedelta(minutes=7))
    _verified("payment", T0 + timedelta(minutes=8))
    assert _forward() is None


def test_the_latest_entry_into_the_mode_is_the_one_that_counts():
    _entered("payment", DMP, T0)
    _entered("payment", DMP, T0 + timedelta(hours=2))  # left and came back: dual writes began again
    _run("payment", T0 + timedelta(hours=1), T0 + timedelta(hours=1, minutes=5))
    _verified("payment", T0 + timedelta(hours=1, minutes=6))
    assert "since 2026-03-01 14:00 UTC" in _forward().reason
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


def test_the_verify_must_pass_for_this_domain_and_start_after_the_latest_backfill_finished():
    _run("payment", T0, T0 + timedelta(minutes=10))
    _verified("payment", T0 + timedelta(minutes=10))  # started as the backfill finished: not after
    _verified("payment", T0 + timedelta(minutes=11), passed=False)
    _verified("marketplace", T0 + timedelta(minutes=11))
    refusal = _forward()
    assert (refusal.reason, refusal.fix) == (
        "no passing verify of payment since its backfill finished at 2026-03-01 12:10 UTC.",
        "run `manage.py verify payment` and fix what it reports.",
    )
    _verified("payment", T0 + timedelta(minutes=12))
    assert _forward() is None

    _run("payment", T0 + timedelta(minutes=20), T0 + timedelta(minutes=30))  # a newer backfill needs a newer verify
    assert "finished at 2026-03-01 12:30 UTC" in _forward().reason
    _run("payment", T0 + timedelta(minutes=1), T0 + timedelta(minutes=25))  # started earlier, finished earlier
    assert "finished at 2026-03-01 12:30 UTC" in _forward().reason


def test_the_reverse_path_counts_reverse_backfills_since_postgres_was_entered():
    _entered("payment", PG, T0)
    _run("payment", T0 + timedelta(minutes=1), T0 + timedelta(minutes=2))  # a forward one: not this
    _verified("payment", T0 + timedelta(minutes=3))
    refusal = _reverse()
    assert (refusal.reason, refusal.fix) == (
        "no reverse backfill of payment has finished since 2026-03-01 12:00 UTC, when payment entered postgres.",
        "run `manage.py backfill --reverse payment`.",
    )
    _run("payment", T0 + timedelta(minutes=4), T0 + timedelta(minutes=5), direction="reverse")
    assert _reverse().reason == "no passing verify of payment since its backfill finished at 2026-03-01 12:05 UTC."
    _verified("payment", T0 + timedelta(minutes=6))
    assert _reverse() is None


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
