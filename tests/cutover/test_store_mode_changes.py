import pytest
from django.core.management import CommandError, call_command

from cutover.models import DomainStoreMode, MirrorOutboxEntry, StoreModeChange
from cutover.modes.cache import current_mode
from cutover.modes.store_mode import StoreMode
from cutover.operations.mode_changes import (
    CHANGE_PERMISSION,
    OVERRIDE_PERMISSION,
    StoreModeChangeRefused,
    store_mode_change,
    store_mode_change_refusal,
)
from tests.cutover.helpers import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_user():
    return make_user("alice", CHANGE_PERMISSION)


def test_first_mode_is_mongo_by_default():
    assert current_mode("dispute") is StoreMode.MONGO


def test_first_mode_comes_from_the_legacy_flag(settings):
    settings.CUTOVER_FLAG_MODES = {"DISPUTE_STORE": "dual"}
    assert current_mode("dispute") is StoreMode.DUAL


def test_a_change_moves_one_step_and_is_audited(admin_user):
    change = store_mode_change(domain="dispute", to_mode="dual_mongo_primary", user=admin_user, reason="backfill done")
    assert current_mode("dispute") is StoreMode.DUAL_MONGO_PRIMARY
    assert (change.from_mode, change.to_mode, change.changed_by, change.reason) == (
        "mongo",
        "dual_mongo_primary",
        admin_user,
        "backfill done",
    )
    store_mode_change(domain="dispute", to_mode="mongo", user=admin_user, reason="roll back (test reason)")
    assert list(StoreModeChange.objects.values_list("to_mode", flat=True)) == ["mongo", "dual_mongo_primary"]


@pytest.mark.parametrize(
    ("to_mode", "reason", "message"),
    [
        ("dual", "skip two steps", "one step at a time"),
        ("postgres", "skip three steps", "one step at a time"),
        ("mongo", "stay where it is", "already in mongo"),
        ("dual_mongo_primary", "  ", "needs a reason"),
        ("sideways", "a typo in the mode", "not a store mode"),
    ],
)
def test_unsafe_or_malformed_changes_are_refused(admin_user, to_mode, reason, message):
    with pytest.raises(StoreModeChangeRefused, match=message):
        store_mode_change(domain="dispute", to_mode=to_mode, user=admin_user, reason=reason)
    assert current_mode("dispute") is StoreMode.MONGO
    assert not StoreModeChange.objects.exists()


def test_a_user_without_the_permission_is_refused():
    with pytest.raises(StoreModeChangeRefused, match="lacks the permission cutover.change_store_mode"):
        store_mode_change(
            domain="dispute", to_mode="dual_mongo_primary", user=make_user("bob"), reason="x (test reason)"
        )


def test_switching_primary_with_dead_mirror_writes_is_refused_with_the_fix(admin_user):
    DomainStoreMode.objects.create(domain="dispute", mode="dual")
    MirrorOutboxEntry.objects.create(domain="dispute", record_id="a" * 24, target="mongo", status="dead")
    refusal = store_mode_change_refusal(
        domain="dispute", to_mode="dual_mongo_primary", user=admin_user, reason="r (test reason)"
    )
    assert "1 mirror write(s) of dispute to mongo are dead" in refusal
    assert "manage.py requeue_dead_letters --domain dispute" in refusal
    with pytest.raises(StoreModeChangeRefused):
        store_mode_change(domain="dispute", to_mode="dual_mongo_primary", user=admin_user, reason="r (test reason)")


def test_override_needs_its_permission_and_is_recorded(admin_user):
    DomainStoreMode.objects.create(domain="dispute", mode="dual")
    MirrorOutboxEntry.objects.create(domain="dispute", record_id="a" * 24, target="mongo", status="dead")
    with pytest.raises(StoreModeChangeRefused, match=OVERRIDE_PERMISSION):
        store_mode_change(
            domain="dispute", to_mode="dual_mongo_primary", user=admin_user, reason="r (test reason)", override=True
        )
    boss = make_user("boss", CHANGE_PERMISSION, OVERRIDE_PERMISSION)
    change = store_mode_change(
        domain="dispute", to_mode="dual_mongo_primary", user=boss, reason="incident 42", override=True
    )
    assert "dead" in change.overridden_refusal
    assert current_mode("dispute") is StoreMode.DUAL_MONGO_PRIMARY


def test_mongo_modes_are_refused_when_mongo_is_disabled(admin_user, settings):
    settings.MONGO_CONNECT_MODE = "disabled"
    DomainStoreMode.objects.create(domain="dispute", mode="postgres")
    with pytest.raises(StoreModeChangeRefused, match="MONGO_CONNECT_MODE=disabled"):
        store_mode_change(domain="dispute", to_mode="dual", user=admin_user, reason="r (test reason)")


def test_unknown_domain_is_a_loud_error(admin_user):
    with pytest.raises(LookupError, match="unknown store domain 'payments'; registered domains: address, auth, "):
        store_mode_change(domain="payments", to_mode="dual", user=admin_user, reason="r (test reason)")


def test_cli_twin_lists_and_changes(admin_user, capsys):
    call_command("store_mode")
    assert "dispute" in capsys.readouterr().out
    call_command(
        "store_mode", "dispute", "--to", "dual_mongo_primary", "--user", "alice", "--reason", "cli (test reason)"
    )
    assert current_mode("dispute") is StoreMode.DUAL_MONGO_PRIMARY
    with pytest.raises(CommandError, match="refused: .*one step"):
        call_command("store_mode", "dispute", "--to", "postgres", "--user", "alice", "--reason", "skip (test reason)")
