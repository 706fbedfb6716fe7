"""manage.py cutover_check: passes only in the legacy plan's end state, and each criterion alone fails it."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from cutover.models import (
    BackfillReject,
    BackfillRun,
    DomainStoreMode,
    MirrorOutboxEntry,
    ScheduledTaskRun,
    StoreModeChange,
    VerifyResult,
)
from cutover.modes.cache import current_mode, invalidate_mode_cache
from cutover.modes.first_modes import create_first_mode_from_flag, flag_seeded_change
from cutover.modes.registry import domain_names, domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from escrow_project.db_roles import OWNER_ALIAS

pytestmark = pytest.mark.django_db


def _backfilled_and_verified(domain: str, *, passed: bool = True) -> None:
    now = timezone.now()
    BackfillRun.objects.create(domain=domain, status="finished", finished_at=now)
    VerifyResult.objects.create(domain=domain, started_at=now + timedelta(seconds=1), passed=passed)


def _purges_ran(ago: timedelta = timedelta(seconds=5)) -> None:
    from django.conf import settings

    at = timezone.now() - ago
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        ScheduledTaskRun.objects.update_or_create(
            task=entry["task"],
            defaults={"last_started_at": at, "last_success_at": at, "last_outcome": "ok", "runs": 1},
        )


@pytest.fixture
def complete():
    """The legacy plan's end state: every domain on postgres, backfilled, verified, purged on time."""
    for name in domain_names():
        set_store_mode(name, StoreMode.POSTGRES)
        _backfilled_and_verified(name)
    _purges_ran()


def _check(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("cutover_check", *args, stdout=out)
    except CommandError as error:  # what a shell sees as exit status error.returncode
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def _failing(*args: str) -> list[tuple[str, str]]:
    code, out = _check("--json", *args)
    report = json.loads(out)
    assert (code == 0) == report["passed"]
    return [(check["domain"], check["name"]) for check in report["checks"] if not check["ok"]]


def test_the_end_state_passes_with_exit_status_0(complete):
    code, out = _check()
    assert code == 0, out
    assert "cutover complete: every check passes" in out
    assert "ledger          ledger trigger" in out or "ledger trigger   pass" in out
    assert _failing() == []


def test_a_domain_not_on_postgres_fails_mode_and_makes_mongo_required(complete):
    set_store_mode("dispute", StoreMode.DUAL)
    assert _failing() == [("dispute", "mode"), ("*", "mongo")]
    code, out = _check()
    assert code == 1
    assert "dispute              mode             FAIL    dual, not postgres" in out
    assert "fix: move it on: postgres" in out


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (lambda: BackfillRun.objects.create(domain="payment", status="failed"), ("payment", "backfill+verify")),
        (
            lambda: BackfillRun.objects.create(
                domain="payment", status="finished", finished_at=timezone.now() + timedelta(minutes=1)
            ),
            ("payment", "backfill+verify"),
        ),  # a newer backfill, not verified since
        (lambda: VerifyResult.objects.filter(domain="payment").delete(), ("payment", "backfill+verify")),
        (lambda: VerifyResult.objects.filter(domain="payment").update(passed=False), ("payment", "backfill+verify")),
        (
            lambda: MirrorOutboxEntry.objects.create(
                domain="payment", collection="payments", record_id="a" * 24, target="mongo"
            ),
            ("payment", "outbox"),
        ),
        (
            lambda: MirrorOutboxEntry.objects.create(
                domain="payment", collection="payments", record_id="a" * 24, target="mongo", status="dead"
            ),
            ("payment", "outbox"),
        ),
        (
            lambda: BackfillReject.objects.create(
                domain="payment", collection="payments", record_id="x", kind="bad_id", reason="r", document={}
            ),
            ("payment", "rejects"),
        ),
        (
            lambda: ScheduledTaskRun.objects.filter(task="accounts.purge_expired_telegram_sessions").delete(),
            ("auth", "purges"),
        ),
    ],
)
def test_each_criterion_alone_fails_the_check(complete, break_it, expected):
    break_it()
    failing = _failing()
    assert expected in failing
    assert all(domain == expected[0] for domain, _ in failing), failing


def test_a_stale_purge_of_every_purging_domain_is_named(complete):
    _purges_ran(ago=timedelta(hours=3))
    assert _failing() == [("auth", "purges"), ("notification", "purges")]


def test_an_acknowledged_reject_does_not_fail_it(complete):
    BackfillReject.objects.create(
        domain="payment",
        collection="payments",
        record_id="x",
        kind="bad_id",
        reason="r",
        document={},
        status="acknowledged",
        acknowledgement_reason="test data",
    )
    assert _failing() == []


@pytest.mark.django_db(transaction=True, databases=["default", OWNER_ALIAS])
def test_a_disabled_ledger_trigger_is_read_from_the_catalog(complete):
    trigger = "funds_ledger_entries_immutable_rows"
    with connections[OWNER_ALIAS].cursor() as cursor:  # only the owner role may (the app's role may not)
        cursor.execute(f"ALTER TABLE funds_ledger_entries DISABLE TRIGGER {trigger}")
    try:
        assert _failing() == [("ledger", "ledger trigger")]
        _, out = _check("ledger")
        assert f"missing or disabled on funds_ledger_entries: {trigger}" in out
    finally:
        with connections[OWNER_ALIAS].cursor() as cursor:
            cursor.execute(f"ALTER TABLE funds_ledger_entries ENABLE TRIGGER {trigger}")


def test_an_env_flag_that_disagrees_with_the_live_mode_fails_and_says_so(complete, settings):
    settings.CUTOVER_FLAG_MODES = {"DISPUTE_STORE": "mongo", "PAYMENT_STORE": "postgres"}
    assert _failing() == [("dispute", "env flag")]
    _, out = _check("dispute")
    assert "DISPUTE_STORE=mongo but the live mode is postgres: the flag only seeded the first mode" in out
    assert "fix: set DISPUTE_STORE=postgres or remove it" in out


def test_mongo_disabled_counts_as_optional(complete, settings):
    settings.MONGO_CONNECT_MODE = "disabled"
    assert _failing() == []


def test_one_domain_is_checked_alone_without_the_deployment(complete):
    set_store_mode("auth", StoreMode.MONGO)
    assert _failing("dispute") == []
    assert _failing("auth") == [("auth", "mode")]


def test_an_unknown_domain_is_an_error():
    with pytest.raises(CommandError, match="unknown store domain 'nope'"):
        call_command("cutover_check", "nope")


# --- a first mode taken from a legacy flag -------------------------------------------------------------


def _first_mode_from_flag(settings, domain: str, mode: str) -> None:
    settings.CUTOVER_FLAG_MODES = {domain_spec(domain).flag: mode}
    DomainStoreMode.objects.filter(domain=domain).delete()
    invalidate_mode_cache()
    assert current_mode(domain) is StoreMode(mode)  # the mode cache creates the missing row from the flag


def test_a_flag_that_skips_the_preconditions_is_in_the_history_and_fails_until_backfilled_and_verified(settings):
    for name in domain_names():
        set_store_mode(name, StoreMode.POSTGRES)
        if name != "dispute":
            _backfilled_and_verified(name)
    _purges_ran()
    _first_mode_from_flag(settings, "dispute", "postgres")

    change = StoreModeChange.objects.get(domain="dispute")
    assert (change.from_mode, change.to_mode, change.changed_by) == ("mongo", "postgres", None)
    assert change.changed_by_name == "DISPUTE_STORE (environment flag)"
    assert "no backfill, verify or parents-first precondition was checked" in change.overridden_refusal
    assert _failing() == [("dispute", "backfill+verify")]
    _, out = _check("dispute")
    assert "(its first mode postgres came from DISPUTE_STORE (environment flag))" in out

    _backfilled_and_verified("dispute")
    assert _failing() == []


def test_a_flag_that_only_starts_dual_writes_is_recorded_without_a_skipped_precondition(settings):
    _first_mode_from_flag(settings, "payment", "dual_mongo_primary")
    change = StoreModeChange.objects.get(domain="payment")
    assert (change.to_mode, change.overridden_refusal) == ("dual_mongo_primary", "")
    assert flag_seeded_change("payment") is None


def test_no_flag_or_a_flag_saying_mongo_records_nothing(settings):
    _first_mode_from_flag(settings, "payment", "mongo")
    DomainStoreMode.objects.filter(domain="trezor").delete()
    invalidate_mode_cache()
    assert current_mode("trezor") is StoreMode.MONGO
    assert not StoreModeChange.objects.exists()


def test_a_first_mode_is_recorded_once_however_often_it_is_created(settings):
    DomainStoreMode.objects.filter(domain="dispute").delete()
    settings.CUTOVER_FLAG_MODES = {"DISPUTE_STORE": "dual"}
    assert create_first_mode_from_flag("dispute", StoreMode.DUAL) is True
    assert create_first_mode_from_flag("dispute", StoreMode.DUAL) is False
    assert StoreModeChange.objects.filter(domain="dispute").count() == 1


def test_a_domain_on_postgres_without_a_backfill_is_told_the_way_that_works():
    """In postgres a forward backfill is refused, so "run backfill" would fail: the fix goes through dual (the
    deployment walk found a fresh database on the end-state flags told to run a refused command)."""
    from cutover.operations.cutover_check import domain_checks

    set_store_mode("auth", "postgres")
    (copy,) = [check for check in domain_checks("auth") if check.name == "backfill+verify"]
    assert not copy.ok
    assert "store_mode auth --to dual" in copy.fix and "backfill auth" in copy.fix
    set_store_mode("auth", "dual")
    (copy,) = [check for check in domain_checks("auth") if check.name == "backfill+verify"]
    assert copy.fix == "run manage.py backfill auth"
