"""Money at the edges of numeric(31,18): 18 and 19 decimals, 1e12, zero with many places, sums."""

import decimal
import threading
from decimal import Decimal

import pytest
from bson import Decimal128, ObjectId

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.factory import repository_for
from cutover.models import BackfillReject
from cutover.testing import set_store_mode
from ledger.services import ledger_append
from tests.backfill.conftest import postgres_record


def _entry(legacy, user, amount, balance_after, direction="credit", **extra):
    return legacy._insert(
        "fundsledgerentries",
        {
            "_id": ObjectId(),
            "userId": user["_id"],
            "entryType": "deposit",
            "direction": direction,
            "amount": amount,
            "currency": "ETH",
            "balanceAfter": balance_after,
            "reference": f"ref-{ObjectId()}",
            "createdAt": legacy.at,
        }
        | extra,
    )


def _backfill():
    backfill_domain("auth")
    backfill_domain("ledger")


def test_eighteen_decimals_load_exactly_and_sum_exactly_in_both_stores(legacy):
    user = legacy.user()
    amounts = [
        "0.000000000000000001",
        "123456789012.123456789012345678",
        "0.333333333333333333",
        "999999999999.999999999999999999",
    ]
    for amount in amounts:
        _entry(legacy, user, Decimal128(amount), Decimal128("0"))
    _entry(legacy, user, "0.100000000000000001", Decimal128("0"), direction="debit")
    _backfill()
    assert not BackfillReject.objects.filter(status="open").exists()
    expected = sum(map(Decimal, amounts)) - Decimal("0.100000000000000001")
    stores = {mode: None for mode in ("mongo", "postgres")}
    for mode in stores:
        set_store_mode("ledger", mode)
        stores[mode] = repository_for("ledger").balance(user_id=str(user["_id"]), currency="ETH")
    assert stores["mongo"] == stores["postgres"] == expected
    assert verify_domain("ledger").passed


@pytest.mark.parametrize(
    "amount",
    [Decimal128("0.1234567890123456789"), "0.1234567890123456789", Decimal128("1000000000000.000000000000000001")],
)
def test_finer_or_larger_amounts_are_rejected_not_rounded(legacy, amount):
    user = legacy.user()
    entry = _entry(legacy, user, amount, Decimal128("0"))
    _backfill()
    assert postgres_record("ledger", "fundsledgerentries", entry["_id"]) is None
    assert BackfillReject.objects.filter(status="open", record_id=str(entry["_id"])).exists()


@pytest.mark.parametrize(
    "zero", [Decimal128("0E-20"), Decimal128("0.00000000000000000000"), "0.0000000000000000000000"]
)
def test_a_zero_balance_with_many_places_is_loaded(legacy, zero):
    user = legacy.user()
    entry = _entry(legacy, user, Decimal128("1"), zero)
    _backfill()
    row = postgres_record("ledger", "fundsledgerentries", entry["_id"])
    assert row is not None and row.balance_after == 0


@pytest.mark.parametrize("mode", ["postgres", "dual"])
def test_a_19_decimal_app_write_is_refused_not_rounded(legacy, mode):
    user = legacy.user()
    _backfill()
    set_store_mode("ledger", mode)
    amount = Decimal("0.1234567890123456789")
    try:
        entry = ledger_append(
            user_id=str(user["_id"]),
            entry_type="deposit",
            direction="credit",
            amount=amount,
            currency="ETH",
            reference="r1",
        )
    except Exception:
        return  # refusing is fine
    assert entry.amount == amount
    assert postgres_record("ledger", "fundsledgerentries", entry.id).amount == amount, "stored rounded"


def test_a_19_decimal_app_write_in_dual_mongo_primary_reaches_postgres_or_is_refused(legacy):
    user = legacy.user()
    _backfill()
    set_store_mode("ledger", "dual_mongo_primary")
    try:
        entry = ledger_append(
            user_id=str(user["_id"]),
            entry_type="deposit",
            direction="credit",
            amount=Decimal("0.1234567890123456789"),
            currency="ETH",
            reference="r1",
        )
    except Exception:
        return
    assert postgres_record("ledger", "fundsledgerentries", entry.id) is not None


def test_mongo_mode_balance_survives_one_legacy_entry_with_19_decimals(legacy):
    user = legacy.user()
    _entry(legacy, user, Decimal128("0.1234567890123456789"), Decimal128("0"))
    _entry(legacy, user, Decimal128("1"), Decimal128("0"))
    set_store_mode("ledger", "mongo")
    assert repository_for("ledger").balance(user_id=str(user["_id"]), currency="ETH") == Decimal(
        "1.1234567890123456789"
    )


def test_arithmetic_runs_at_60_digits():
    """Balances add amounts of 31 digits: Decimal's default 28-digit context would round them. The app sets 60
    digits at start-up, for threads started later too (a relay thread, a worker's pool)."""
    largest = Decimal("9999999999999.999999999999999999")
    results = []

    def add_up():
        results.append((decimal.getcontext().prec, sum([largest] * 1000, Decimal(0))))

    add_up()
    worker = threading.Thread(target=add_up)
    worker.start()
    worker.join()
    exact = Decimal("9999999999999999.999999999999999000")
    assert results == [(60, exact), (60, exact)]
