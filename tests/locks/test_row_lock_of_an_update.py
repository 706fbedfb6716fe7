"""The row lock of a Postgres update (`SELECT … FOR UPDATE` in PostgresBackend._update_locked), held at its
critical point: one status change has read the dispute and not yet written it when a second change of the same
dispute starts. The second must wait and read the first's result, so the timeline is one chain (each entry
starts from the status the one before it ended in); without the lock both start from `open`."""

import threading

import pytest
from django.db import connection

import disputes.repositories.base as dispute_repository
from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from disputes.selectors import dispute_get
from disputes.services import dispute_change_status, dispute_open
from tests.factories import a_purchase_request

HOLD_SECONDS = 1.0


@pytest.mark.parametrize("mode", [StoreMode.DUAL, StoreMode.POSTGRES], ids=lambda mode: mode.value)
def test_a_second_change_waits_for_the_first_and_starts_from_its_result(transactional_db, monkeypatch, mode):
    set_store_mode("dispute", mode)
    request = a_purchase_request()
    dispute = dispute_open(
        purchase_request_id=request.id,
        opened_by_id=request.buyer_id,
        against_user_id=request.seller_id,
        reason="not_received",
    )
    first_read, second_read = threading.Event(), threading.Event()
    entry = dispute_repository.rules.status_change_entry

    def entry_held_open(record, **options):
        if not first_read.is_set():
            first_read.set()
            second_read.wait(HOLD_SECONDS)  # the critical point: the row read, not yet written
        else:
            second_read.set()
        return entry(record, **options)

    monkeypatch.setattr(dispute_repository.rules, "status_change_entry", entry_held_open)
    errors = []

    def change(to_status: str) -> None:
        try:
            dispute_change_status(dispute_id=dispute.id, to_status=to_status, actor_id=request.buyer_id)
        except BaseException as error:  # reported in the test's thread
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=change, args=("under_review",))
    first.start()
    assert first_read.wait(10)
    second = threading.Thread(target=change, args=("awaiting_response",))
    second.start()
    for thread in (first, second):
        thread.join(30)
    assert errors == []
    timeline = dispute_get(dispute_id=dispute.id).timeline
    steps = [(item.from_status, item.to_status) for item in timeline]
    assert steps == [(None, "open"), ("open", "under_review"), ("under_review", "awaiting_response")]
