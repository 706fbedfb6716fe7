"""Dead mirror writes come back: one service (cutover/operations/requeue.py), a command and the outbox admin's action,
audited; the refusal to switch primary names the command; a requeued entry is mirrored by the next repair."""

from contextlib import contextmanager

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts import services as accounts
from cutover.mirror.outbox import outbox_repair_pending
from cutover.models import DomainStoreMode, MirrorOutboxEntry, OutboxRequeue
from cutover.modes.registry import domain_spec
from cutover.operations.mode_changes import store_mode_change_refusal
from cutover.operations.requeue import REQUEUE_PERMISSION, RequeueRefused, dead_letter_counts, outbox_requeue_dead
from cutover.testing import set_store_mode
from tests.conftest import MongoOutage
from tests.cutover.helpers import make_user
from tests.factories import a_user

pytestmark = pytest.mark.django_db


def _entry(domain="dispute", status="dead", record_id="a" * 24, collection="disputes") -> MirrorOutboxEntry:
    return MirrorOutboxEntry.objects.create(
        domain=domain,
        collection=collection,
        record_id=record_id,
        target="mongo",
        status=status,
        attempts=12,
        last_error="ServerSelectionTimeoutError: down",
    )


@contextmanager
def mongo_down(settings):
    outage = MongoOutage(settings)
    outage.start()
    try:
        yield
    finally:
        outage.end()


def _statuses() -> dict[int, tuple[str, int]]:
    return dict((e.pk, (e.status, e.attempts)) for e in MirrorOutboxEntry.objects.all())


def test_requeue_puts_only_the_dead_entries_of_the_domain_back_and_records_it():
    alice = make_user("alice", REQUEUE_PERMISSION)
    dead, other_domain, pending = _entry(), _entry(domain="payment"), _entry(status="pending")
    done = outbox_requeue_dead(user=alice, reason="Mongo is back", domain="dispute")
    assert (done.count, done.entry_ids, done.requested_by_name, done.reason) == (1, [dead.pk], "alice", "Mongo is back")
    assert _statuses() == {dead.pk: ("pending", 0), other_domain.pk: ("dead", 12), pending.pk: ("pending", 12)}
    assert dead_letter_counts() == {"payment": 1}


@pytest.mark.parametrize(
    ("perms", "reason", "message"),
    [
        ((), "cause fixed: Mongo is back", "lacks the permission cutover.requeue_dead_letters"),
        ((REQUEUE_PERMISSION,), "  ", "needs a reason of at least 10"),
    ],
)
def test_requeue_is_refused_without_the_permission_or_a_reason(perms, reason, message):
    dead = _entry()
    with pytest.raises(RequeueRefused, match=message):
        outbox_requeue_dead(user=make_user("bob", *perms), reason=reason, domain="dispute")
    assert _statuses() == {dead.pk: ("dead", 12)}
    assert not OutboxRequeue.objects.exists()


def test_the_command_requeues_and_the_next_repair_mirrors_them(capsys, settings, django_capture_on_commit_callbacks):
    make_user("alice", REQUEUE_PERMISSION)
    user = a_user(display_name="Before")  # in both stores
    set_store_mode("auth", "dual")
    with mongo_down(settings), django_capture_on_commit_callbacks(execute=True) as mirrors:  # tried, Mongo is down
        accounts.user_update(user_id=user.id, display_name="After")
    assert mirrors
    entry = MirrorOutboxEntry.objects.get(record_id=user.id)
    MirrorOutboxEntry.objects.filter(pk=entry.pk).update(status="dead", attempts=12)
    call_command("requeue_dead_letters")
    assert "auth: 1 dead" in capsys.readouterr().out
    call_command("requeue_dead_letters", "--domain", "auth", "--user", "alice", "--reason", "Mongo is back")
    assert "requeued 1 dead mirror write(s)" in capsys.readouterr().out
    assert OutboxRequeue.objects.get().entry_ids == [entry.pk]
    assert domain_spec("auth").backends()["mongo"].get_snapshot("users", user.id).display_name == "Before"
    report = outbox_repair_pending(domain="auth")
    assert report.repaired == 1 and MirrorOutboxEntry.objects.get(pk=entry.pk).status == "done"
    assert domain_spec("auth").backends()["mongo"].get_snapshot("users", user.id).display_name == "After"


def test_the_command_refuses_a_user_without_the_permission():
    make_user("bob")
    dead = _entry()
    with pytest.raises(CommandError, match="refused: bob lacks the permission cutover.requeue_dead_letters"):
        call_command("requeue_dead_letters", "--all", "--user", "bob", "--reason", "x (test reason)")
    assert _statuses() == {dead.pk: ("dead", 12)}


def test_the_switch_refusal_names_the_requeue_command(admin_user):
    DomainStoreMode.objects.create(domain="dispute", mode="dual")
    _entry()
    refusal = store_mode_change_refusal(
        domain="dispute", to_mode="dual_mongo_primary", user=admin_user, reason="r (test reason)"
    )
    assert "manage.py requeue_dead_letters --domain dispute --user YOU --reason" in refusal


def test_repair_mirror_names_the_dead_entries_it_does_not_retry(capsys):
    _entry(), _entry(domain="payment")
    call_command("repair_mirror", "--domain", "dispute")
    out = capsys.readouterr().out
    assert "1 dead entry in the outbox, never retried" in out
    assert "`manage.py requeue_dead_letters --domain dispute --user YOU --reason '...'`" in out


def test_store_mode_lists_dead_entries(capsys):
    _entry()
    call_command("store_mode")
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("dispute "))
    assert "1 dead mirror write(s): `requeue_dead_letters --domain dispute`" in line


def test_the_admin_action_asks_a_reason_then_requeues_through_the_service(client):
    client.force_login(make_user("alice", REQUEUE_PERMISSION, "cutover.view_mirroroutboxentry"))
    dead, pending = _entry(), _entry(status="pending", record_id="d" * 24)
    url = reverse("admin:cutover_mirroroutboxentry_changelist")
    selection = {"action": "requeue_dead", ACTION_CHECKBOX_NAME: [dead.pk, pending.pk]}
    page = client.post(url, selection)
    assert page.status_code == 200 and "Requeue dead mirror writes" in page.content.decode()
    assert _statuses()[dead.pk] == ("dead", 12)
    response = client.post(url, {**selection, "apply": "1", "reason": "Mongo is back"})
    assert response.status_code == 302
    assert _statuses() == {dead.pk: ("pending", 0), pending.pk: ("pending", 12)}
    audit = OutboxRequeue.objects.get()
    assert (audit.requested_by_name, audit.count, audit.reason) == ("alice", 1, "Mongo is back")


def test_the_admin_action_is_not_offered_without_the_permission(client):
    client.force_login(make_user("bob", "cutover.view_mirroroutboxentry"))
    dead = _entry()
    url = reverse("admin:cutover_mirroroutboxentry_changelist")
    assert "requeue_dead" not in client.get(url).content.decode()
    client.post(
        url, {"action": "requeue_dead", ACTION_CHECKBOX_NAME: [dead.pk], "apply": "1", "reason": "x (test reason)"}
    )
    assert _statuses() == {dead.pk: ("dead", 12)}
