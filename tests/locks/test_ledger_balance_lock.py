"""The ledger's per-balance lock, held at its critical point: one append has read the balance and not yet
written its entry when a second append for the same balance starts. The second must wait, so the two entries
carry consecutive balances; without the lock both read the same balance and one credit vanishes from
balanceAfter."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from cutover.modes.store_mode import StoreMode
from cutover.testing import set_store_mode
from ledger.repositories.base import LedgerRepository
from ledger.selectors import ledger_balance
from ledger.services import ledger_append
from tests.factories import a_user

HOLD_SECONDS = 1.0  # how long the first append waits, balance read, for the second to read it too


@pytest.mark.parametrize("mode", list(StoreMode), ids=lambda mode: mode.value)
def test_a_second_append_waits_for_the_first_to_write_its_balance(transactional_db, monkeypatch, mode):
    set_store_mode("auth", StoreMode.DUAL)
    user = a_user()
    set_store_mode("ledger", mode)
    first_read, second_read = threading.Event(), threading.Event()
    balance = LedgerRepository.balance

    def balance_held_open(self, *, user_id, currency):
        value = balance(self, user_id=user_id, currency=currency)
        if not first_read.is_set():
            first_read.set()
            second_read.wait(HOLD_SECONDS)  # the critical point: read, not yet written
        else:
            second_read.set()
        return value

    monkeypatch.setattr(LedgerRepository, "balance", balance_held_open)
    entries, errors = [], []

    def append(reference: str) -> None:
        try:
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
        except BaseException as error:  # reported in the test's thread
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=append, args=("first",))
    first.start()
    assert first_read.wait(10)
    second = threading.Thread(target=append, args=("second",))
    second.start()
    for thread in (first, second):
        thread.join(30)
    assert errors == []
    assert sorted(entry.balance_after for entry in entries) == [Decimal(100), Decimal(200)]
    assert ledger_balance(user_id=user.id, currency="USDT") == Decimal(200)
