"""The ledger, trezor and notification ports, in every store mode."""

from datetime import timedelta
from decimal import Decimal

import pytest

from cutover.store.backends.errors import UniqueConflict
from cutover.store.legacy import now_ms
from tests.contract.conftest import assert_stores_follow_mode
from tests.factories import a_payment, a_user


def test_ledger_appends_reverses_and_balances(repo_of):
    ledger = repo_of("ledger")
    payment = a_payment()
    user = payment.buyer_id
    deposit = ledger.append_entry(
        user_id=user,
        entry_type="deposit",
        direction="credit",
        amount=Decimal("100"),
        currency="USDT",
        reference="dep-1",
        payment_id=payment.id,
    )
    fee = ledger.append_entry(
        user_id=user, entry_type="fee", direction="debit", amount=Decimal("2.5"), currency="USDT", reference="fee-1"
    )
    assert (deposit.balance_after, fee.balance_after) == (Decimal("100"), Decimal("97.5"))
    with pytest.raises(UniqueConflict, match="dep-1"):
        ledger.append_entry(
            user_id=user,
            entry_type="deposit",
            direction="credit",
            amount=Decimal("1"),
            currency="USDT",
            reference="dep-1",
        )
    correction = ledger.reverse_entry(fee.id, reference="fix-fee-1")
    assert (correction.direction, correction.reverses_entry_id, correction.balance_after) == (
        "credit",
        fee.id,
        Decimal("100"),
    )
    assert ledger.balance(user_id=user, currency="USDT") == Decimal("100")
    assert ledger.balance(user_id=user, currency="BTC") == Decimal("0")
    assert [e.id for e in ledger.list_entries(user_id=user)] == [correction.id, fee.id, deposit.id]
    assert_stores_follow_mode("ledger", ledger.mode, [deposit, fee, correction])


def test_trezor_accounts_carry_their_derived_addresses(repo_of):
    trezor = repo_of("trezor")
    user = a_user()
    account = trezor.create_account(xpub="xpub6C-test", network="tron", label="hot", user_id=user.id)
    with pytest.raises(UniqueConflict):
        trezor.create_account(xpub="xpub6C-test", network="tron")
    trezor.derive_address(account.id, address="TA0", path="m/0")
    trezor.derive_address(account.id, address="TA1", path="m/1")
    used = trezor.mark_address_used(account.id, index=0)
    assert [(a.index, a.address, a.used_at is not None) for a in used.derived_addresses] == [
        (0, "TA0", True),
        (1, "TA1", False),
    ]
    assert trezor.get_account_by_xpub("xpub6C-test") == used
    assert trezor.list_accounts(user_id=user.id) == [used]
    assert_stores_follow_mode("trezor", trezor.mode, [used])


def test_notifications_read_state_and_retention(repo_of):
    notifications = repo_of("notification")
    user = a_user()
    first = notifications.create_notification(user_id=user.id, type="payment", title="Paid", data={"amount": "1"})
    second = notifications.create_notification(user_id=user.id, type="dispute", title="Opened")
    assert notifications.count_unread(user_id=user.id) == 2
    read = notifications.mark_read(first.id)
    assert read.is_read and read.read_at is not None
    assert [n.id for n in notifications.list_notifications(user_id=user.id, unread_only=True)] == [second.id]
    all_read = notifications.mark_all_read(user_id=user.id)
    assert [n.id for n in all_read] == [second.id]
    assert notifications.count_unread(user_id=user.id) == 0
    later = now_ms() + timedelta(days=91)
    assert notifications.list_notifications(user_id=user.id, now=later) == []
    assert notifications.get_notification(first.id, now=later) is None
    assert_stores_follow_mode("notification", notifications.mode, [read, *all_read])
