"""Dual-written rows survive a backfill; the ledger is never updated; verify finds what differs;
mode changes wait for backfill and verify; reverse backfill restores the legacy documents."""

import dataclasses
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from bson import Decimal128, ObjectId

from cutover.backfill.reverse import reverse_backfill_domain
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillReject, StoreModeChange
from cutover.modes.registry import domain_spec
from cutover.operations.mode_changes import CHANGE_PERMISSION, StoreModeChangeRefused, store_mode_change
from cutover.store.legacy import next_moment
from cutover.testing import set_store_mode
from ledger.models import LedgerEntry
from tests.backfill.conftest import postgres_record
from tests.cutover.helpers import make_user


def _parents():
    backfill_domain("auth")
    backfill_domain("marketplace")


def test_a_legacy_update_whose_updated_at_went_backwards_is_loaded(legacy):
    """Issue 22 item 6: while Mongo leads, its document is the truth whatever its clock says; the rerun,
    a restart and verify all see the legacy update (the old loader kept the row: its updatedAt was later)."""
    payment = legacy.payment()
    _parents()
    backfill_domain("payment")
    earlier = payment["updatedAt"] - timedelta(hours=3)
    legacy.db.payments.update_one(
        {"_id": payment["_id"]}, {"$set": {"confirmations": 1, "status": "failed", "updatedAt": earlier}}
    )
    assert backfill_domain("payment").summary["payments"]["written"] == 1
    stored = domain_spec("payment").backends()["postgres"].get_snapshot("payments", str(payment["_id"]))
    assert (stored.confirmations, stored.status, stored.updated_at) == (1, "failed", earlier.replace(tzinfo=UTC))
    assert backfill_domain("payment", restart=True).summary["payments"]["written"] == 0
    assert verify_domain("payment").passed


def test_a_restart_takes_a_backwards_update_too(legacy):
    payment = legacy.payment()
    _parents()
    backfill_domain("payment")
    legacy.db.payments.update_one(
        {"_id": payment["_id"]}, {"$set": {"confirmations": 2, "updatedAt": payment["updatedAt"] - timedelta(days=1)}}
    )
    assert backfill_domain("payment", restart=True).summary["payments"]["written"] == 1
    assert verify_domain("payment").passed


def _ledger_doc(payment: dict, **overrides) -> dict:
    return {
        "_id": ObjectId(),
        "paymentId": payment["_id"],
        "userId": payment["buyerId"],
        "entryType": "deposit",
        "direction": "credit",
        "amount": Decimal128("10.50"),
        "currency": "USDT",
        "balanceAfter": Decimal128("10.50"),
        "reference": f"dep:{payment['_id']}",
        "createdAt": payment["createdAt"],
    } | overrides


def test_ledger_entries_are_inserted_never_updated(legacy):
    payment = legacy.payment()
    entry = _ledger_doc(payment)
    legacy.db.fundsledgerentries.insert_one(entry)
    _parents()
    backfill_domain("payment")
    assert backfill_domain("ledger").summary["fundsledgerentries"]["written"] == 1
    legacy.db.fundsledgerentries.update_one({"_id": entry["_id"]}, {"$set": {"amount": Decimal128("99")}})
    rerun = backfill_domain("ledger").summary["fundsledgerentries"]
    assert (rerun["written"], rerun["rejected"]) == (0, 1)
    reject = BackfillReject.objects.get(record_id=str(entry["_id"]))
    assert reject.kind == "conflict" and "never updated" in reject.reason
    assert LedgerEntry.objects.get(pk=str(entry["_id"])).amount == Decimal("10.50")


def test_verify_finds_an_altered_a_missing_and_an_extra_row(legacy):
    payments = [legacy.payment() for _ in range(12)]
    _parents()
    backfill_domain("payment")
    assert verify_domain("payment", range_size=5).passed
    postgres = domain_spec("payment").backends()["postgres"]
    altered = postgres.get_snapshot("payments", str(payments[3]["_id"]))
    postgres.put_snapshot(dataclasses.replace(altered, confirmations=77, updated_at=next_moment(altered.updated_at)))
    postgres.delete_snapshot("payments", str(payments[7]["_id"]))
    extra = dataclasses.replace(altered, id=str(ObjectId()), tx_hash=None)
    postgres.put_snapshot(extra)

    result = verify_domain("payment", range_size=5)
    assert not result.passed
    samples = result.samples["payments"]
    assert samples["differing"] == {str(payments[3]["_id"]): ["confirmations", "updated_at"]}
    assert samples["missing_in_postgres"] == [str(payments[7]["_id"])]
    assert samples["missing_in_mongo"] == [extra.id]
    assert result.counts["payments"]["compared"] == 12


def test_verify_reports_documents_it_cannot_read(legacy):
    legacy.payment(amount="ten")
    _parents()
    backfill_domain("payment")
    result = verify_domain("payment")
    assert not result.passed and result.counts["payments"]["unreadable_in_mongo"] == 1


@pytest.fixture
def admin_user(transactional_db):
    return make_user("ops", CHANGE_PERMISSION)


def _step(admin_user, domain: str, mode: str):
    return store_mode_change(domain=domain, to_mode=mode, user=admin_user, reason="cutover (test reason)")


def test_postgres_leads_only_after_backfill_and_verify_and_parents_first(legacy, admin_user):
    legacy.payment()
    for domain in ("auth", "marketplace", "payment"):
        _step(admin_user, domain, "dual_mongo_primary")
    with pytest.raises(StoreModeChangeRefused) as refusal:
        _step(admin_user, "payment", "dual")
    assert "parent domain(s) auth, marketplace of payment are not at dual yet" in str(refusal.value)
    assert "no forward backfill of payment has finished that started after" in str(refusal.value)
    assert "manage.py backfill payment" in str(refusal.value)

    for domain in ("auth", "marketplace"):
        backfill_domain(domain)
        verify_domain(domain)
        _step(admin_user, domain, "dual")
    backfill_domain("payment")
    with pytest.raises(StoreModeChangeRefused, match="no verify of payment has started since its forward"):
        _step(admin_user, "payment", "dual")
    assert verify_domain("payment").passed
    assert _step(admin_user, "payment", "dual").to_mode == "dual"


def test_a_backfill_from_before_dual_writes_began_does_not_count(legacy, admin_user):
    _parents()
    backfill_domain("payment")
    verify_domain("payment")
    set_store_mode("auth", "dual")
    set_store_mode("marketplace", "dual")
    _step(admin_user, "payment", "dual_mongo_primary")  # dual writes begin after that backfill
    with pytest.raises(StoreModeChangeRefused, match="no forward backfill of payment has finished that started after"):
        _step(admin_user, "payment", "dual")


def test_mongo_leading_again_after_postgres_needs_a_reverse_backfill_and_verify(legacy, admin_user, settings):
    settings.CUTOVER_SOAK_SECONDS, settings.CUTOVER_SOAK_MIN_READS = 0, 0
    payment = legacy.payment()
    _parents()
    backfill_domain("payment")
    for domain in ("auth", "marketplace", "payment"):
        set_store_mode(domain, "dual")
    assert verify_domain("payment").passed
    _step(admin_user, "payment", "postgres")
    legacy.db.payments.delete_many({})  # Mongo fell behind while Postgres was alone
    _step(admin_user, "payment", "dual")  # issue 22: the rollback copies in dual, writes flowing
    with pytest.raises(StoreModeChangeRefused, match="manage.py backfill --reverse payment"):
        _step(admin_user, "payment", "dual_mongo_primary")
    run = reverse_backfill_domain("payment", batch_size=1)
    assert run.summary["payments"]["written"] == 1
    assert domain_spec("payment").backends()["mongo"].get_snapshot("payments", str(payment["_id"])) == postgres_record(
        "payment", "payments", payment["_id"]
    )
    assert verify_domain("payment").passed
    assert _step(admin_user, "payment", "dual_mongo_primary").to_mode == "dual_mongo_primary"
    assert StoreModeChange.objects.filter(domain="payment").count() == 3
