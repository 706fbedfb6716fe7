"""The record copy lock, held at its critical point: one copy has read the source and not yet written the
follower when the source changes and a second copy of the same record starts. The second must wait for the
first, then read the newer state, so the follower ends with the source's last state; without the lock the
first copy's older state lands last. A notification has no updatedAt: nothing but the lock orders the copies."""

import dataclasses
import threading
from datetime import timedelta

import pytest
from django.db import connection

from cutover.mirror.copy import mirror_record
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from tests.factories import a_notification, a_user

HOLD_SECONDS = 1.0


@pytest.mark.parametrize(("mode", "target"), [(StoreMode.DUAL, "mongo"), (StoreMode.DUAL_MONGO_PRIMARY, "postgres")])
def test_a_copy_started_later_waits_and_the_follower_ends_with_the_last_state(
    transactional_db, monkeypatch, mode, target
):
    set_store_mode("notification", mode)
    notification = a_notification(a_user().id, age=timedelta(0))
    stores = domain_spec("notification").backends()
    source = stores["postgres" if target == "mongo" else "mongo"]
    first_state = dataclasses.replace(notification, title="first")
    last_state = dataclasses.replace(notification, title="last")
    source.put_snapshot(first_state)

    first_read, second_read = threading.Event(), threading.Event()
    read = type(source).get_snapshot

    def read_held_open(self, collection, record_id):
        record = read(self, collection, record_id)
        if not first_read.is_set():
            first_read.set()
            second_read.wait(HOLD_SECONDS)  # the critical point: source read, follower not yet written
        else:
            second_read.set()
        return record

    monkeypatch.setattr(type(source), "get_snapshot", read_held_open)
    errors = []

    def copy() -> None:
        try:
            mirror_record("notification", "notifications", notification.id, target)
        except BaseException as error:  # reported in the test's thread
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=copy)
    first.start()
    assert first_read.wait(10)
    source.put_snapshot(last_state)  # the app's write, after the first copy read the source
    second = threading.Thread(target=copy)
    second.start()
    for thread in (first, second):
        thread.join(30)
    assert errors == []
    monkeypatch.undo()
    assert stores[target].get_snapshot("notifications", notification.id).title == "last"
