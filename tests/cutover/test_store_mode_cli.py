"""`store_mode`, the CLI twin of the cockpit: one domain's readiness, the shadow-read percent, --expect-from."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cutover.models import DomainStoreMode, StoreModeChange
from cutover.modes.cache import current_mode
from cutover.modes.store_mode import StoreMode
from cutover.operations.mode_changes import CHANGE_PERMISSION
from cutover.testing import set_store_mode
from tests.cutover.helpers import make_user

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("store_mode", *args, stdout=out)
    return out.getvalue()


def test_one_domain_shows_its_steps_blockers_commands_and_checklist():
    set_store_mode("dispute", "dual_mongo_primary")
    out = _run("dispute")
    assert out.startswith("dispute: dual_mongo_primary (Dual write, Mongo primary), shadow reads 0%, steady\n")
    assert "Advance to dual: " in out and "failing precondition(s):" in out
    assert "[auth] parent auth must move mongo → dual_mongo_primary." in out
    assert "       manage.py backfill dispute\n" in out
    assert "Roll back to mongo: ready: manage.py store_mode dispute --to mongo" in out
    assert "  FAIL Backfill since entering the mode: no forward backfill has finished" in out
    assert "  ok   Open backfill rejects: none open" in out


def test_an_unknown_domain_is_a_clear_error():
    with pytest.raises(CommandError, match="unknown store domain 'nope'"):
        _run("nope")


def test_shadow_percent_through_the_service_with_its_checks():
    make_user("alice", CHANGE_PERMISSION)
    with pytest.raises(CommandError, match="refused: shadow reads run only in the dual modes"):
        _run("dispute", "--shadow-percent", "5", "--user", "alice", "--reason", "x (test reason)")
    set_store_mode("dispute", "dual")
    with pytest.raises(CommandError, match="needs a reason"):
        _run("dispute", "--shadow-percent", "5", "--user", "alice")
    with pytest.raises(CommandError, match="whole number from 0 to 100, got 150"):
        _run("dispute", "--shadow-percent", "150", "--user", "alice", "--reason", "x (test reason)")
    assert _run("dispute", "--shadow-percent", "5", "--user", "alice", "--reason", "x (test reason)") == (
        "dispute: shadow reads 0% → 5% (in dual)\n"
    )
    assert DomainStoreMode.objects.get(domain="dispute").shadow_read_percent == 5
    assert StoreModeChange.objects.get().changed_by_name == "alice"
    with pytest.raises(CommandError, match="already reads 5% in shadow"):
        _run("dispute", "--shadow-percent", "5", "--user", "alice", "--reason", "x (test reason)")


def test_mode_and_shadow_percent_are_not_changed_at_once():
    make_user("alice", CHANGE_PERMISSION)
    with pytest.raises(CommandError, match="not both"):
        _run(
            "dispute",
            "--to",
            "dual_mongo_primary",
            "--shadow-percent",
            "5",
            "--user",
            "alice",
            "--reason",
            "x (test reason)",
        )


def test_expect_from_refuses_when_the_mode_moved():
    make_user("alice", CHANGE_PERMISSION)
    with pytest.raises(CommandError, match="dispute is in mongo now, not dual_mongo_primary"):
        _run(
            "dispute",
            "--to",
            "dual_mongo_primary",
            "--expect-from",
            "dual_mongo_primary",
            "--user",
            "alice",
            "--reason",
            "x (test reason)",
        )
    assert current_mode("dispute") is StoreMode.MONGO
    out = _run(
        "dispute",
        "--to",
        "dual_mongo_primary",
        "--expect-from",
        "mongo",
        "--user",
        "alice",
        "--reason",
        "x (test reason)",
    )
    assert out == "dispute: mongo → dual_mongo_primary\n"


def test_a_previous_release_can_still_write_audit_rows_without_the_new_columns():
    """During a rolling deploy, processes of the previous release insert audit rows without `kind`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cutover_store_mode_changes (domain, from_mode, to_mode, changed_by_name, reason, "
            "overridden_refusal, created_at) VALUES ('dispute', 'mongo', 'dual_mongo_primary', 'old', 'r', '', now())"
        )
    change = StoreModeChange.objects.get()
    assert change.kind == "mode" and change.change == "mongo → dual_mongo_primary"


def test_a_refused_step_lists_every_failing_precondition_one_per_line():
    make_user("alice", CHANGE_PERMISSION)
    set_store_mode("dispute", "dual_mongo_primary")
    with pytest.raises(CommandError) as refusal:
        _run("dispute", "--to", "dual", "--user", "alice", "--reason", "x (test reason)")
    lines = str(refusal.value).splitlines()
    assert lines[0].startswith("refused: ")
    assert lines[1] == "Advance to dual: 14 failing precondition(s):"
    assert lines[2:4] == [
        "  1. [auth] parent auth must move mongo → dual_mongo_primary.",
        "       manage.py store_mode auth --to dual_mongo_primary --user USERNAME --reason 'WHY'",
    ]
    assert lines[-2:] == [
        "  14. [dispute] then a passing verify of dispute after that forward backfill.",
        "       manage.py verify dispute",
    ]


def test_each_parent_step_is_listed_once():
    """Issue 22 item 8: a parent shared by several parents (auth under marketplace and payment) was planned once
    per parent in the checklist, and the step's plan was listed again there: followed in order, needless changes."""
    set_store_mode("dispute", "dual_mongo_primary")
    commands = [line.strip() for line in _run("dispute").splitlines() if line.strip().startswith("manage.py ")]
    assert commands, "the plan lists commands"
    assert len(commands) == len(set(commands)), sorted(c for c in commands if commands.count(c) > 1)
    assert commands.index("manage.py store_mode auth --to dual --user USERNAME --reason 'WHY'") < commands.index(
        "manage.py store_mode marketplace --to dual_mongo_primary --user USERNAME --reason 'WHY'"
    )
