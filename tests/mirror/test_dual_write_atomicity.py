"""Guarantee 1: in `dual`, the Postgres write and its outbox row commit together (cutover/mirror/dual.py).

A failure of the outbox insert must reach the caller, roll the Postgres write back and leave Mongo untouched.
Two injections: a Python exception at the seam (dual.outbox_enqueue), and a real refusal by Postgres (a trigger
on the outbox table), so the test holds whichever way the insert is written.
"""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import DatabaseError, connections

from accounts import services as accounts
from accounts.models import User
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from escrow_project.db_roles import OWNER_ALIAS
from tests.factories import a_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", OWNER_ALIAS])

OUTBOX_TABLE = MirrorOutboxEntry._meta.db_table


class OutboxInsertFailed(Exception):
    pass


@contextmanager
def outbox_insert_fails_in_python():
    failing_insert = OutboxInsertFailed("outbox insert failed")
    with mock.patch("cutover.mirror.dual.outbox_enqueue", side_effect=failing_insert) as seam:
        yield OutboxInsertFailed
    assert seam.called, "the dual write never reached its outbox insert"


@contextmanager
def outbox_insert_refused_by_postgres():
    """The trigger is the owner's to create: the app's runtime role may not add one."""
    with connections[OWNER_ALIAS].cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION guarantees_refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'outbox insert refused (test)'; END $$; "
            f'CREATE TRIGGER guarantees_refuse_outbox BEFORE INSERT ON "{OUTBOX_TABLE}" '
            "FOR EACH ROW EXECUTE FUNCTION guarantees_refuse_outbox()"
        )
    try:
        yield DatabaseError
    finally:
        with connections[OWNER_ALIAS].cursor() as cursor:
            cursor.execute(
                f'DROP TRIGGER IF EXISTS guarantees_refuse_outbox ON "{OUTBOX_TABLE}"; '
                "DROP FUNCTION IF EXISTS guarantees_refuse_outbox()"
            )


INJECTIONS = {"python": outbox_insert_fails_in_python, "postgres": outbox_insert_refused_by_postgres}


def _stores(collection: str, record_id: str) -> dict:
    return {name: store.get_snapshot(collection, record_id) for name, store in domain_spec("auth").backends().items()}


@pytest.mark.parametrize("injection", INJECTIONS, ids=str)
def test_a_failed_outbox_insert_rolls_back_a_create(injection):
    set_store_mode("auth", "dual")
    with INJECTIONS[injection]() as expected_error, pytest.raises(expected_error, match="outbox insert"):
        accounts.user_register(email="atomic@example.com", password_hash="h")
    assert not User.objects.filter(email="atomic@example.com").exists()
    assert domain_spec("auth").backends()["mongo"].get_user_by_email("atomic@example.com") is None
    assert MirrorOutboxEntry.objects.count() == 0


@pytest.mark.parametrize("injection", INJECTIONS, ids=str)
def test_a_failed_outbox_insert_rolls_back_an_update(injection):
    user = a_user(display_name="Before")  # in both stores, as a backfill leaves it
    set_store_mode("auth", "dual")
    with INJECTIONS[injection]() as expected_error, pytest.raises(expected_error, match="outbox insert"):
        accounts.user_update(user_id=user.id, display_name="After")
    assert _stores("users", user.id) == {"mongo": user, "postgres": user}
    assert MirrorOutboxEntry.objects.count() == 0


def test_without_a_failure_the_same_write_commits_with_its_outbox_row():
    """The control: the set-up above does reach Postgres, the outbox and Mongo when nothing fails."""
    user = a_user(display_name="Before")
    set_store_mode("auth", "dual")
    changed = accounts.user_update(user_id=user.id, display_name="After")
    assert changed.display_name == "After"
    assert _stores("users", user.id) == {"mongo": changed, "postgres": changed}
    assert list(MirrorOutboxEntry.objects.values_list("collection", "record_id", "target")) == [
        ("users", user.id, "mongo")
    ]
