"""A use case that fails midway inside a dual write (its unit of work joined to the fence transaction, no
savepoint: cutover.store.backends.postgres.as_sole_write) leaves nothing half-written in either store, and
the caller's own transaction goes on."""

from unittest import mock

import pytest
from django.db import transaction

from accounts.models import User
from cutover.factory import repository_for
from cutover.mirror.dispatch import dispatcher
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_spec
from cutover.store.backends.errors import UniqueConflict
from cutover.store.backends.postgres import PostgresBackend
from cutover.testing import set_store_mode
from disputes.models import Dispute
from tests.disputes.factories import dispute_draft

pytestmark = pytest.mark.django_db(transaction=True)


class Midway(Exception):
    pass


def _fails_midway(*args, **kwargs):
    raise Midway("after the parent row was written")


@pytest.mark.parametrize("mirror", ["inline", "background"])
def test_an_insert_failing_after_its_row_leaves_nothing_and_the_callers_transaction_goes_on(settings, mirror):
    settings.CUTOVER_MIRROR = mirror
    set_store_mode("dispute", "dual")
    repository = repository_for("dispute")
    draft = dispute_draft()
    with transaction.atomic():
        with mock.patch.object(PostgresBackend, "_replace_children", _fails_midway), pytest.raises(Midway):
            repository.create(draft)
        kept = repository.create(dispute_draft())
    assert dispatcher.drain(timeout=30)
    assert list(Dispute.objects.values_list("id", flat=True)) == [kept.id]
    assert list(MirrorOutboxEntry.objects.values_list("record_id", flat=True)) == [kept.id]
    mongo = domain_spec("dispute").backends()["mongo"]
    assert mongo.list_by_status_priority(status=kept.status) == [kept]


def test_an_update_failing_after_its_row_changed_leaves_the_record_as_it_was(settings):
    settings.CUTOVER_MIRROR = "inline"
    set_store_mode("dispute", "dual")
    repository = repository_for("dispute")
    record = repository.create(dispute_draft())
    with mock.patch.object(PostgresBackend, "_save_grown_children", _fails_midway), pytest.raises(Midway):
        repository.change_status(record.id, to_status="under_review", actor_id=record.opened_by_id)
    assert repository.get(record.id) == record
    assert domain_spec("dispute").backends()["mongo"].get(record.id) == record
    assert MirrorOutboxEntry.objects.filter(record_id=record.id).count() == 1  # the create's only


def test_a_unique_conflict_inside_the_callers_transaction_leaves_nothing_and_the_rest_commits(settings):
    settings.CUTOVER_MIRROR = "inline"
    set_store_mode("auth", "dual")
    users = repository_for("auth")
    with transaction.atomic():
        first = users.create_user(email="a@example.com", password_hash="x", telegram_id="4242")
        with pytest.raises(UniqueConflict):
            users.create_user(email="b@example.com", password_hash="x", telegram_id="4242")
        last = users.create_user(email="c@example.com", password_hash="x")
    assert sorted(User.objects.values_list("email", flat=True)) == ["a@example.com", "c@example.com"]
    assert sorted(MirrorOutboxEntry.objects.values_list("record_id", flat=True)) == sorted([first.id, last.id])
    mongo = domain_spec("auth").backends()["mongo"]
    assert mongo.get_user_by_email("b@example.com") is None
    assert [mongo.get_user(first.id), mongo.get_user(last.id)] == [first, last]
