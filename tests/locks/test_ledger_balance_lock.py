"""The ledger's per-balance lock, held at its critical point: one append has read the balance and not yet
written its entry when a second append for the same balance starts. The second must wait, so the two entries
carry consecutive balances; without the lock both read the same balance and one credit vanishes from
balanceAfter."""

from decimal import Decimal

import pytest

from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from ledger.repositories.base import LedgerRepository
from ledger.selectors import ledger_balance
from ledger.services import ledger_append
from tests.factories import a_user
from tests.locks.critical_point import CriticalPoint, race


@pytest.mark.parametrize("mode", list(StoreMode), ids=lambda mode: mode.value)
def test_a_second_append_waits_for_the_first_to_write_its_balance(transactional_db, monkeypatch, mode):
    set_store_mode("auth", StoreMode.DUAL)
    user = a_user()
    set_store_mode("ledger", mode)
    point = CriticalPoint()  # after the balance is read, before the entry is written
    monkeypatch.setattr(LedgerRepository, "balance", point.wrap(LedgerRepository.balance))
    entries = []

    def append(reference: str):
        def party():
            entries.append(
                ledger_append(
                    user_id=user.id,
                    entry_type="deposit",
                    direction="credit",
                    amount="100",
                    currency="USDT",
                    reference=reference,
                )
            )

        return party

    assert race(point, append("first"), append("second")) == []
    assert sorted(entry.balance_after for entry in entries) == [Decimal(100), Decimal(200)]
    assert ledger_balance(user_id=user.id, currency="USDT") == Decimal(200)
