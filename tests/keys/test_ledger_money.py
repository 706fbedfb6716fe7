"""Issue case 8: an entry is reversed at most once in every mode (two writers at once included); a rejected
entry that carries money counts in no store's balance, and acknowledging it shows its balance effect and
needs a compensating entry or a second user's confirmation; a payout never overdraws."""

import threading
from decimal import Decimal

import pytest
from bson import Decimal128, ObjectId
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from pymongo.errors import DuplicateKeyError

from cutover.backfill.review import backfill_reject_acknowledge
from cutover.backfill.service import backfill_domain
from cutover.models import BackfillReject
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.store.backends.errors import UniqueConflict
from cutover.store.legacy import new_id, now_ms
from cutover.store.mongo_indexes import ensure_mongo_indexes
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_database
from ledger.records import LedgerEntryRecord
from ledger.rules import AlreadyReversed, InsufficientBalance
from ledger.selectors import ledger_balance
from ledger.services import ledger_append, ledger_reverse
from tests.backfill.conftest import legacy  # noqa: F401 - the fixture
from tests.cutover.helpers import make_user
from tests.factories import a_payment

MODES = [pytest.param(mode, id=mode.value) for mode in MIGRATION_ORDER]
ACKNOWLEDGE = "cutover.acknowledge_backfillreject"


def _balances(user_id: str, currency: str = "USDT") -> dict[str, Decimal]:
    return {
        store: backend.balance(user_id=user_id, currency=currency)
        for store, backend in domain_spec("ledger").backends().items()
    }


def _credit(user_id: str, amount: str, reference: str, payment_id: str | None = None):
    return ledger_append(
        user_id=user_id,
        entry_type="deposit",
        direction="credit",
        amount=Decimal(amount),
        currency="USDT",
        reference=reference,
        payment_id=payment_id,
    )


# --- reversed at most once -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_reversing_an_entry_twice_is_refused_in_every_mode(mode, transactional_db):
    user = a_payment().buyer_id
    set_store_mode("ledger", mode)
    credit = _credit(user, "100", "dep-1")
    assert ledger_reverse(entry_id=credit.id, reference="undo-1").balance_after == 0
    with pytest.raises(AlreadyReversed, match=f"entry {credit.id} is reversed already"):
        ledger_reverse(entry_id=credit.id, reference="undo-2")
    assert ledger_balance(user_id=user, currency="USDT") == 0
    written = [store for store, holds in (("mongo", mode.writes_mongo), ("postgres", mode.writes_postgres)) if holds]
    assert {store: _balances(user)[store] for store in written} == dict.fromkeys(written, Decimal(0))


def _follower(mode: StoreMode) -> str:
    return "postgres" if mode in (StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY) else "mongo"


@pytest.mark.parametrize("mode", [m for m in MODES if m.values[0] is not StoreMode.POSTGRES])
def test_a_reversal_only_the_other_store_holds_refuses_another_in_every_mode(mode, transactional_db):
    user = a_payment().buyer_id
    set_store_mode("ledger", StoreMode.DUAL)
    credit = _credit(user, "100", "dep-1")
    reversal = LedgerEntryRecord(
        id=new_id(),
        payment_id=None,
        user_id=user,
        entry_type="adjustment",
        direction="debit",
        amount=Decimal(100),
        currency="USDT",
        balance_after=Decimal(0),
        reference="undo-elsewhere",
        reverses_entry_id=credit.id,
        created_at=now_ms(),
    )
    domain_spec("ledger").backend(_follower(mode)).put_snapshot(reversal)  # a mirror still pending, say
    set_store_mode("ledger", mode)
    with pytest.raises(AlreadyReversed, match=f"in the {_follower(mode)} store.*{reversal.id}"):
        ledger_reverse(entry_id=credit.id, reference="undo-2")


def test_postgres_refuses_a_second_reversal_row_on_its_own(transactional_db):
    user = a_payment().buyer_id
    set_store_mode("ledger", StoreMode.POSTGRES)
    credit = _credit(user, "100", "dep-1")
    first = ledger_reverse(entry_id=credit.id, reference="undo-1")
    twin = LedgerEntryRecord(**{**first.__dict__, "id": new_id(), "reference": "undo-2"})
    with pytest.raises(IntegrityError, match="ledger_reversed_once"), transaction.atomic():
        domain_spec("ledger").build_postgres_repository().put_snapshot(twin)


def test_mongo_refuses_a_second_reversal_document_on_its_own(db):
    """The declared index (ledger/domain.py): unique on reversesEntryId where it is an ObjectId, so the entries
    that reverse nothing (no key, or null) never clash."""
    ensure_mongo_indexes([("ledger", index) for index in domain_spec("ledger").mongo_indexes])
    entries = mongo_database().fundsledgerentries
    original = ObjectId()
    entries.insert_many([{"reference": "a"}, {"reference": "b", "reversesEntryId": None}, {"reference": "c"}])
    entries.insert_one({"reference": "undo-1", "reversesEntryId": original})
    with pytest.raises(DuplicateKeyError):
        entries.insert_one({"reference": "undo-2", "reversesEntryId": original})


@pytest.mark.parametrize("mode", MODES)
def test_two_writers_reversing_one_entry_at_once_only_one_wins(mode, transactional_db):
    ensure_mongo_indexes([("ledger", index) for index in domain_spec("ledger").mongo_indexes])
    user = a_payment().buyer_id
    set_store_mode("ledger", mode)
    credit = _credit(user, "100", "dep-1")
    start, outcomes = threading.Barrier(2), []

    def reverse(reference: str) -> None:
        try:
            start.wait()
            outcomes.append(ledger_reverse(entry_id=credit.id, reference=reference))
        except UniqueConflict as refused:  # AlreadyReversed, or the unique index of the store written first
            outcomes.append(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=reverse, args=(f"undo-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2, outcomes
    assert sum(isinstance(outcome, LedgerEntryRecord) for outcome in outcomes) == 1, outcomes
    assert ledger_balance(user_id=user, currency="USDT") == 0


# --- a rejected entry that carries money -----------------------------------------------------------------


def _orphan_credit_scenario(legacy):  # noqa: F811
    """A user with 5 USDT loaded, and a 100 USDT credit whose payment was deleted: an orphan reject."""
    kept, gone = legacy.payment(), legacy.payment()
    user = kept["buyerId"]
    legacy.db.payments.delete_one({"_id": gone["_id"]})

    def entry(amount: str, payment: dict, reference: str) -> dict:
        doc = {
            "_id": ObjectId(),
            "paymentId": payment["_id"],
            "userId": user,
            "entryType": "deposit",
            "direction": "credit",
            "amount": Decimal128(amount),
            "currency": "USDT",
            "balanceAfter": Decimal128(amount),
            "reference": reference,
            "createdAt": legacy.at,
        }
        legacy.db.fundsledgerentries.insert_one(doc)
        return doc

    entry("5", kept, "dep-kept")
    orphan = entry("100", gone, "dep-orphan")
    for domain in ("auth", "marketplace", "payment", "ledger"):
        backfill_domain(domain)
    reject = BackfillReject.objects.get(record_id=str(orphan["_id"]))
    assert reject.kind == "orphan"
    return str(user), reject


@pytest.mark.parametrize("mode", MODES)
def test_a_rejected_credit_counts_in_no_balance_and_a_payout_cannot_overdraw(legacy, mode):  # noqa: F811
    user, _ = _orphan_credit_scenario(legacy)
    set_store_mode("ledger", mode)
    assert _balances(user) == {"mongo": Decimal(5), "postgres": Decimal(5)}
    assert ledger_balance(user_id=user, currency="USDT") == 5
    with pytest.raises(InsufficientBalance, match="would leave user .* at -45"):
        ledger_append(
            user_id=user, entry_type="payout", direction="debit", amount=Decimal(50), currency="USDT", reference="po"
        )
    assert _balances(user) == {"mongo": Decimal(5), "postgres": Decimal(5)}


def test_acknowledging_a_money_reject_shows_its_effect_and_needs_a_decision(legacy):  # noqa: F811
    user, reject = _orphan_credit_scenario(legacy)
    ops = make_user("ops", ACKNOWLEDGE)
    expected = f"credit of 100 USDT for user {user}, counted in no balance (balance now 5; 105 with it)"
    with pytest.raises(CommandError, match=r"refused: #\d+ fundsledgerentries/.*" + re_escape(expected)):
        call_command(
            "backfill_rejects", "--acknowledge", str(reject.pk), "--user", "ops", "--reason", "why it may stay out"
        )
    reject.refresh_from_db()
    assert reject.status == "open"
    with pytest.raises(Exception, match="needs a decision"):
        backfill_reject_acknowledge(reject_ids=[reject.pk], user=ops, reason="why (test reason)")


@pytest.mark.parametrize("mode", MODES)
def test_compensating_a_money_reject_carries_its_money_into_both_stores(legacy, mode):  # noqa: F811
    user, reject = _orphan_credit_scenario(legacy)
    set_store_mode("ledger", mode)
    ops = make_user("ops", ACKNOWLEDGE)
    [done] = backfill_reject_acknowledge(
        reject_ids=[reject.pk], user=ops, reason="owed (test reason)", money="compensate"
    )
    assert done.status == "acknowledged" and done.compensating_entry_id
    assert "105 with it" in done.money_effect
    written = [s for s, holds in (("mongo", mode.writes_mongo), ("postgres", mode.writes_postgres)) if holds]
    balances = _balances(user)
    assert {store: balances[store] for store in written} == dict.fromkeys(written, Decimal(105))
    payout = ledger_append(
        user_id=user, entry_type="payout", direction="debit", amount=Decimal(50), currency="USDT", reference="po"
    )
    assert payout.balance_after == 55
    for store in written:
        held = domain_spec("ledger").backend(store).get_snapshot("fundsledgerentries", payout.id)
        assert held.balance_after == 55


def test_dropping_a_money_reject_needs_a_second_user(legacy):  # noqa: F811
    user, reject = _orphan_credit_scenario(legacy)
    first, second = make_user("ops", ACKNOWLEDGE), make_user("auditor", ACKNOWLEDGE)
    [asked] = backfill_reject_acknowledge(reject_ids=[reject.pk], user=first, reason="test money", money="drop")
    assert (asked.status, asked.money_drop_requested_by_name) == ("open", "ops")
    with pytest.raises(Exception, match="another user must confirm"):
        backfill_reject_acknowledge(reject_ids=[reject.pk], user=first, reason="again (test reason)", money="drop")
    [done] = backfill_reject_acknowledge(
        reject_ids=[reject.pk], user=second, reason="agreed (test reason)", money="drop"
    )
    assert (done.status, done.acknowledged_by_name, done.money_drop_requested_by_name) == (
        "acknowledged",
        "auditor",
        "ops",
    )
    assert _balances(user) == {"mongo": Decimal(5), "postgres": Decimal(5)}


def test_a_compensation_retried_reuses_its_entry(legacy):  # noqa: F811
    from ledger.services import ledger_compensate

    user, reject = _orphan_credit_scenario(legacy)
    first = ledger_compensate(user_id=user, currency="USDT", signed_amount=Decimal(100), reference="r-1")
    assert ledger_compensate(user_id=user, currency="USDT", signed_amount=Decimal(100), reference="r-1") == first
    with pytest.raises(ValueError, match="holds another entry"):
        ledger_compensate(user_id=user, currency="USDT", signed_amount=Decimal(-100), reference="r-1")


def re_escape(text: str) -> str:
    import re

    return re.escape(text)


@pytest.mark.parametrize("mode", MODES)
def test_two_payouts_at_once_never_overdraw(mode, transactional_db):
    user = a_payment().buyer_id
    set_store_mode("ledger", mode)
    _credit(user, "5", "dep-1")
    start, outcomes = threading.Barrier(2), []

    def payout(reference: str) -> None:
        try:
            start.wait()
            outcomes.append(
                ledger_append(
                    user_id=user,
                    entry_type="payout",
                    direction="debit",
                    amount=Decimal(4),
                    currency="USDT",
                    reference=reference,
                )
            )
        except InsufficientBalance as refused:
            outcomes.append(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=payout, args=(f"po-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["InsufficientBalance", "LedgerEntryRecord"]
    assert ledger_balance(user_id=user, currency="USDT") == 1


@pytest.mark.parametrize("mode", [StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY])
def test_an_entry_no_balance_counts_is_not_reversed(legacy, mode):  # noqa: F811
    user, reject = _orphan_credit_scenario(legacy)
    set_store_mode("ledger", mode)
    with pytest.raises(AlreadyReversed, match="held as a backfill reject"):
        ledger_reverse(entry_id=reject.record_id, reference="undo-orphan")
    assert _balances(user) == {"mongo": Decimal(5), "postgres": Decimal(5)}
