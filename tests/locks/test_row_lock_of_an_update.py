"""The row lock of a Postgres update (`SELECT … FOR UPDATE` in PostgresBackend._update_locked), held at its
critical point: one status change has read the dispute and not yet written it when a second change of the same
dispute starts. The second must wait and read the first's result, so the timeline is one chain (each entry
starts from the status the one before it ended in); without the lock both start from `open`."""

import pytest

import disputes.repositories.base as dispute_repository
from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from disputes.selectors import dispute_get
from disputes.services import dispute_change_status
from tests.locks.critical_point import CriticalPoint, race
from tests.locks.disputes import a_dispute


@pytest.mark.parametrize("mode", [StoreMode.DUAL, StoreMode.POSTGRES], ids=lambda mode: mode.value)
def test_a_second_change_waits_for_the_first_and_starts_from_its_result(transactional_db, monkeypatch, mode):
    set_store_mode("dispute", mode)
    dispute = a_dispute()
    point = CriticalPoint()  # the row read, the change worked out, not yet written
    monkeypatch.setattr(
        dispute_repository.rules, "status_change_entry", point.wrap(dispute_repository.rules.status_change_entry)
    )

    def change(to_status: str):
        return lambda: dispute_change_status(dispute_id=dispute.id, to_status=to_status, actor_id=dispute.opened_by_id)

    assert race(point, change("under_review"), change("awaiting_response")) == []
    steps = [(entry.from_status, entry.to_status) for entry in dispute_get(dispute_id=dispute.id).timeline]
    assert steps == [(None, "open"), ("open", "under_review"), ("under_review", "awaiting_response")]
