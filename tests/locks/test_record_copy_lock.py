"""The record copy lock, held at its critical point: one copy has read the source and not yet written the
follower when the source changes and a second copy of the same record starts. The second must wait for the
first, then read the newer state, so the follower ends with the source's last state; without the lock the
first copy's older state lands last. A notification has no updatedAt: nothing but the lock orders the copies."""

import dataclasses
from datetime import timedelta

import pytest

from cutover.mirror.copy import mirror_record
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from tests.factories import a_notification, a_user
from tests.locks.critical_point import CriticalPoint, race


@pytest.mark.parametrize(("mode", "target"), [(StoreMode.DUAL, "mongo"), (StoreMode.DUAL_MONGO_PRIMARY, "postgres")])
def test_a_copy_started_later_waits_and_the_follower_ends_with_the_last_state(
    transactional_db, monkeypatch, mode, target
):
    set_store_mode("notification", mode)
    notification = a_notification(a_user().id, age=timedelta(0))
    stores = domain_spec("notification").backends()
    source = stores["postgres" if target == "mongo" else "mongo"]
    source.put_snapshot(dataclasses.replace(notification, title="first"))
    point = CriticalPoint()  # after the source is read, before the follower is written
    monkeypatch.setattr(type(source), "get_snapshot", point.wrap(type(source).get_snapshot))

    def copy():
        mirror_record("notification", "notifications", notification.id, target)

    def the_app_writes_the_source():
        source.put_snapshot(dataclasses.replace(notification, title="last"))

    assert race(point, copy, copy, between=the_app_writes_the_source) == []
    monkeypatch.undo()
    assert stores[target].get_snapshot("notifications", notification.id).title == "last"
