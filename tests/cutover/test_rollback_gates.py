"""Issue 22, items 2 and 8 and the soak: what each rollback-related step asks for, and what a change does with
what is still pending. One process; the multi-process rollback is tests/cutover/test_rollback_processes.py."""

import dataclasses
import time
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cutover.backfill.verify import verify_domain
from cutover.factory import repository_for
from cutover.models import MirrorOutboxEntry, ShadowMismatch, VerifyResult
from cutover.modes.cache import current_mode
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.operations.mode_changes import (
    CHANGE_PERMISSION,
    OVERRIDE_PERMISSION,
    StoreModeChangeRefused,
    latest_mode_history_id,
    store_mode_change,
)
from cutover.operations.readiness import domain_readiness
from cutover.store.legacy import new_id
from cutover.testing import set_store_mode
from notifications.services import notification_mark_read, notification_send
from tests.cutover.helpers import make_user
from tests.factories import a_notification, a_user, put_everywhere

pytestmark = pytest.mark.django_db(transaction=True)

SETTLING = 0.2


@pytest.fixture
def alice(settings):
    settings.CUTOVER_MODE_CACHE_SECONDS = SETTLING
    return make_user("alice", CHANGE_PERMISSION, OVERRIDE_PERMISSION)


@pytest.fixture
def user_id() -> str:
    set_store_mode("auth", "dual")
    return put_everywhere("auth", a_user()).id


def _change(user, to_mode: str, **options):
    return store_mode_change(domain="notification", to_mode=to_mode, user=user, reason="test (test reason)", **options)


def _settle() -> None:
    time.sleep(SETTLING + 0.05)


def _stores(notification_id: str) -> dict:
    return {
        name: store.get_notification(notification_id) for name, store in domain_spec("notification").backends().items()
    }


def test_writes_made_in_postgres_after_a_passing_reverse_verify_reach_mongo_before_it_leads(alice, user_id):
    """Item 2: the old gate took any passing verify after a reverse backfill made in `postgres`, and the writes
    made after it were never copied. Now the copy that gates Mongo leading is made in `dual`."""
    set_store_mode("notification", "postgres")
    call_command("backfill", "notification", reverse=True, stdout=StringIO())
    assert verify_domain("notification").passed  # evidence gathered in postgres
    sent = notification_send(user_id=user_id, type="t", title="after the verify")
    read = notification_mark_read(notification_id=notification_send(user_id=user_id, type="t", title="r").id)
    assert _stores(sent.id)["mongo"] is None

    _change(alice, "dual")  # nothing asked first: no write freeze
    with pytest.raises(StoreModeChangeRefused, match="no reverse backfill of notification has finished that started"):
        _change(alice, "dual_mongo_primary")
    _settle()
    call_command("backfill", "notification", reverse=True, stdout=StringIO())
    with pytest.raises(StoreModeChangeRefused, match="no verify of notification has started since its reverse"):
        _change(alice, "dual_mongo_primary")
    assert verify_domain("notification").passed
    _change(alice, "dual_mongo_primary")
    for record in (sent, read):
        assert _stores(record.id) == {"mongo": record, "postgres": record}


def test_legacy_writes_made_while_mongo_leads_after_a_rollback_reach_postgres_before_it_leads(alice, user_id):
    """The forward copy counted from the latest `mongo → dual_mongo_primary` only: after `dual → dual_mongo_primary`
    (a rollback), the legacy app's inserts and deletes in Mongo (no outbox: it writes Mongo alone) were never
    copied, and Postgres led again without them. Now any entry into dual_mongo_primary asks for a new backfill."""
    kept, deleted = (a_notification(user_id, age=timedelta(0)) for _ in range(2))
    set_store_mode("notification", "dual")
    call_command("backfill", "notification", stdout=StringIO())  # the forward copy made before (no entry recorded)
    _change(alice, "dual_mongo_primary")  # a rollback: Mongo leads again
    mongo = domain_spec("notification").backends()["mongo"]
    inserted = dataclasses.replace(kept, id=new_id(), title="by the legacy app")
    mongo.put_snapshot(inserted)  # the legacy app writes Mongo directly
    mongo.delete_snapshot("notifications", deleted.id)
    with pytest.raises(StoreModeChangeRefused, match="no forward backfill of notification has finished that started"):
        _change(alice, "dual")
    _settle()
    call_command("backfill", "notification", stdout=StringIO())
    assert verify_domain("notification").passed
    _change(alice, "dual")
    assert _stores(inserted.id) == {"mongo": inserted, "postgres": inserted}
    assert _stores(deleted.id) == {"mongo": None, "postgres": None}


def test_a_failed_verify_lists_the_copy_that_fixes_it_then_verify(alice, user_id):
    """A step refused by a failed verify lists what fixes the failure in the current mode (while Mongo leads: the
    backfill), then verify; "run verify and fix what it reports" alone left an operator rerunning verify."""
    kept = a_notification(user_id, age=timedelta(0))
    set_store_mode("notification", "dual")
    _change(alice, "dual_mongo_primary")
    _settle()
    call_command("backfill", "notification", stdout=StringIO())
    domain_spec("notification").backends()["mongo"].put_snapshot(dataclasses.replace(kept, id=new_id()))  # legacy
    assert not verify_domain("notification").passed
    (blocker,) = domain_readiness("notification").advance.blockers
    assert blocker.commands == ("manage.py backfill notification", "manage.py verify notification"), str(blocker)
    for command in blocker.commands:
        call_command(*command.split()[1:], stdout=StringIO())
    _change(alice, "dual")


def test_the_latest_verify_counts_not_any_passing_one(alice, user_id):
    set_store_mode("notification", "postgres")
    _change(alice, "dual")
    _settle()
    call_command("backfill", "notification", reverse=True, stdout=StringIO())
    assert verify_domain("notification").passed
    VerifyResult.objects.create(domain="notification", started_at=VerifyResult.objects.get().finished_at, passed=False)
    with pytest.raises(StoreModeChangeRefused, match=r"the latest verify of notification \(finished .*\) failed"):
        _change(alice, "dual_mongo_primary")


def test_postgres_to_dual_needs_mongo_answering(alice, mongo_outage):
    set_store_mode("notification", "postgres")
    mongo_outage.start()
    with pytest.raises(StoreModeChangeRefused, match="MongoDB does not answer"):
        _change(alice, "dual")
    mongo_outage.end()
    _change(alice, "dual")


def _ready_for_postgres(settings) -> None:
    """A passing verify and no soak asked (dual was set by hand: no entry to count from)."""
    settings.CUTOVER_SOAK_SECONDS, settings.CUTOVER_SOAK_MIN_READS = 0, 0
    VerifyResult.objects.create(domain="notification", started_at=timezone.now(), passed=True)


def test_dual_to_postgres_makes_the_pending_mirror_writes_first(alice, user_id, settings):
    """Item 8: they were stranded (the relay and repair skip a domain in postgres)."""
    set_store_mode("notification", "dual")
    settings.CUTOVER_MIRROR = "relay"  # no relay runs: the mirror write stays pending
    sent = notification_send(user_id=user_id, type="t", title="pending")
    assert MirrorOutboxEntry.objects.filter(status="pending").count() == 1
    _ready_for_postgres(settings)
    _change(alice, "postgres")
    assert not MirrorOutboxEntry.objects.filter(status="pending").exists()
    assert _stores(sent.id)["mongo"] == sent


def test_dual_mongo_primary_to_mongo_makes_the_pending_mirror_writes_first(alice, user_id, settings):
    """Leaving Postgres entirely: what dual writes still owe it is copied first, so a return finds it whole."""
    set_store_mode("notification", "dual_mongo_primary")
    with mock.patch("cutover.mirror.dual.mirror_record", side_effect=RuntimeError("Postgres away")):
        sent = notification_send(user_id=user_id, type="t", title="pending")  # kept in the outbox, pending
    assert MirrorOutboxEntry.objects.filter(status="pending", target="postgres").count() == 1
    assert _stores(sent.id)["postgres"] is None
    _settle()
    _change(alice, "mongo")
    assert current_mode("notification") is StoreMode.MONGO
    assert not MirrorOutboxEntry.objects.filter(status="pending").exists()
    assert _stores(sent.id)["postgres"] == sent


def test_dual_to_postgres_refuses_what_it_cannot_mirror(alice, user_id, settings, mongo_outage):
    set_store_mode("notification", "dual")
    settings.CUTOVER_MIRROR = "relay"
    notification_send(user_id=user_id, type="t", title="pending")
    _ready_for_postgres(settings)
    mongo_outage.start()
    with pytest.raises(StoreModeChangeRefused, match=r"1 pending mirror write\(s\) of notification to mongo could not"):
        _change(alice, "postgres")
    assert current_mode("notification") is StoreMode.DUAL
    change = _change(alice, "postgres", override=True)  # an emergency: Mongo is gone; said in the audit
    assert "pending mirror write(s)" in change.overridden_refusal


def test_a_confirmation_is_bound_to_the_history_entry_it_was_prepared_on(alice):
    """Item 8, ABA: the mode moved away and back by someone else after the page was prepared."""
    bob = make_user("bob", CHANGE_PERMISSION)
    set_store_mode("notification", "mongo")
    token = latest_mode_history_id("notification")
    store_mode_change(domain="notification", to_mode="dual_mongo_primary", user=bob, reason="bob's try (test reason)")
    store_mode_change(domain="notification", to_mode="mongo", user=bob, reason="bob's undo")
    with pytest.raises(StoreModeChangeRefused) as refused:
        _change(alice, "dual_mongo_primary", expected_from="mongo", expected_history=token)
    message = str(refused.value)
    assert "notification is in mongo as when this change was prepared, but its mode was changed since" in message
    assert "dual_mongo_primary → mongo by bob at " in message and "bob's undo" in message
    assert current_mode("notification") is StoreMode.MONGO
    _change(alice, "dual_mongo_primary", expected_from="mongo", expected_history=latest_mode_history_id("notification"))


def test_the_cli_binds_a_change_to_the_history_token_it_shows(alice):
    bob = make_user("bob", CHANGE_PERMISSION)
    shown = StringIO()
    call_command("store_mode", "notification", stdout=shown)
    token = shown.getvalue().split("--expect-history ")[1].split(")")[0]
    store_mode_change(domain="notification", to_mode="dual_mongo_primary", user=bob, reason="away (test reason)")
    store_mode_change(domain="notification", to_mode="mongo", user=bob, reason="and back (test reason)")
    args = ["notification", "--to", "dual_mongo_primary", "--user", "alice", "--reason", "x (test reason)"]
    with pytest.raises(CommandError, match="by bob at "):
        call_command("store_mode", *args, "--expect-history", token, stdout=StringIO())
    with pytest.raises(CommandError, match="not a mode history id"):
        call_command("store_mode", *args, "--expect-history", "latest", stdout=StringIO())


def test_the_admin_confirmation_is_bound_to_the_history_it_showed(client, alice):
    bob = make_user("bob", CHANGE_PERMISSION)
    client.force_login(make_user("carol", CHANGE_PERMISSION, staff=True))
    url = reverse("admin:cutover_domainstoremode_step", args=["notification", "dual_mongo_primary"])
    page = client.get(url).content.decode()
    token = int(page.split('name="history" value="')[1].split('"')[0])
    store_mode_change(domain="notification", to_mode="dual_mongo_primary", user=bob, reason="away (test reason)")
    store_mode_change(domain="notification", to_mode="mongo", user=bob, reason="and back (test reason)")
    posted = {"from_mode": "mongo", "history": token, "reason": "go (test reason)", "confirm": "1"}
    refused = client.post(url, posted).content.decode()
    assert "but its mode was changed since" in refused and "by bob at " in refused
    assert current_mode("notification") is StoreMode.MONGO


def test_postgres_only_needs_a_shadow_read_soak(alice, user_id, settings):
    """The evidence gate before `postgres`: sampled reads over time in dual, mismatches within the threshold."""
    settings.CUTOVER_SOAK_SECONDS, settings.CUTOVER_SOAK_MIN_READS = 0.3, 5
    set_store_mode("notification", "postgres")
    _change(alice, "dual")
    _settle()
    call_command("backfill", "notification", reverse=True, stdout=StringIO())
    assert verify_domain("notification").passed
    with pytest.raises(StoreModeChangeRefused) as refused:
        _change(alice, "postgres")
    assert "0 of 5 sampled reads" in str(refused.value) and "--shadow-percent 10" in str(refused.value)
    set_store_mode("notification", "dual", shadow_read_percent=100)
    sent = notification_send(user_id=user_id, type="t", title="read me")
    time.sleep(1.0)  # reads are tallied per second: the verify's own second does not count
    for _ in range(5):
        repository_for("notification").get_notification(sent.id)
    _change(alice, "postgres")
    assert current_mode("notification") is StoreMode.POSTGRES


def test_a_mismatch_fails_the_soak_until_a_new_verify(alice, user_id, settings):
    settings.CUTOVER_SOAK_SECONDS, settings.CUTOVER_SOAK_MIN_READS = 0, 1
    set_store_mode("notification", "dual", shadow_read_percent=100)
    assert verify_domain("notification").passed
    sent = notification_send(user_id=user_id, type="t", title="read me")
    time.sleep(1.0)
    repository_for("notification").get_notification(sent.id)
    ShadowMismatch.objects.create(
        domain="notification", method="get_notification", kind="error", primary_store="postgres"
    )
    with pytest.raises(StoreModeChangeRefused) as refused:
        _change(alice, "postgres")
    assert "1 mismatch(es) in 1 reads" in str(refused.value)
    assert "`manage.py verify notification` (a new soak starts with it)" in str(refused.value)
    assert verify_domain("notification").passed
    time.sleep(1.0)
    repository_for("notification").get_notification(sent.id)
    _change(alice, "postgres")
