"""Issue 22 item 4: deletes made in Mongo while it leads reach Postgres through the forward backfill; an
append-only ledger entry whose document was deleted becomes a blocking conflict, resolved only by a
compensating entry or an audited decision."""

from decimal import Decimal

import pytest
from bson import Decimal128, ObjectId
from django.core.management import call_command
from django.core.management.base import CommandError

import cutover.backfill.deletes as deletes
import cutover.backfill.runner as runner
from cutover.backfill.review import RejectAcknowledgementRefused, backfill_reject_acknowledge
from cutover.backfill.service import backfill_domain
from cutover.backfill.source import migration_source
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillReject
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.operations.preconditions import rejects_resolved_or_acknowledged_before_postgres_leads
from cutover.testing import set_store_mode
from ledger.models import LedgerEntry
from payments.models import Payment
from tests.cutover.helpers import make_user

MONGO_LEADS = ["mongo", "dual_mongo_primary"]


def _parents():
    backfill_domain("auth")
    backfill_domain("marketplace")


def _loaded_payments(legacy, count: int) -> list[dict]:
    payments = [legacy.payment() for _ in range(count)]
    _parents()
    backfill_domain("payment")
    return payments


@pytest.mark.parametrize("mode", MONGO_LEADS)
@pytest.mark.parametrize("restart", [False, True], ids=["rerun", "restart"])
def test_a_document_deleted_while_mongo_leads_takes_its_row_with_it(legacy, mode, restart):
    payments = _loaded_payments(legacy, 5)
    set_store_mode("payment", mode)
    gone = [payments[0], payments[4]]  # the first and the last: no batch range ends on them afterwards
    legacy.db.payments.delete_many({"_id": {"$in": [doc["_id"] for doc in gone]}})
    run = backfill_domain("payment", restart=restart, batch_size=2)
    assert run.summary["payments"]["deleted"] == 2
    assert not Payment.objects.filter(pk__in=[str(doc["_id"]) for doc in gone]).exists()
    assert Payment.objects.count() == 3
    assert verify_domain("payment").passed
    assert backfill_domain("payment").summary["payments"]["deleted"] == 0


def test_while_postgres_leads_a_row_without_a_document_stays(legacy):
    """In `dual` a row whose document is missing is the truth (a create whose Mongo copy is pending)."""
    payments = _loaded_payments(legacy, 2)
    set_store_mode("payment", "dual")
    legacy.db.payments.delete_one({"_id": payments[0]["_id"]})
    assert backfill_domain("payment").summary["payments"]["deleted"] == 0
    assert Payment.objects.filter(pk=str(payments[0]["_id"])).exists()


def test_a_mode_change_to_dual_during_the_sweep_keeps_the_row(legacy, monkeypatch):
    """The sweep decided to look while Mongo led; the row is only removed if Mongo still leads under the
    fence, at the moment of the delete."""
    payments = _loaded_payments(legacy, 2)
    legacy.db.payments.delete_one({"_id": payments[0]["_id"]})
    set_store_mode("payment", "dual")
    monkeypatch.setattr(deletes, "live_mode", lambda domain: StoreMode.DUAL_MONGO_PRIMARY)  # read before the change
    spec = domain_spec("payment")
    swept = deletes.remove_rows_without_documents(spec, "payments", None, migration_source(), batch_size=10)
    assert swept.deleted == 0
    assert Payment.objects.filter(pk=str(payments[0]["_id"])).exists()


@pytest.mark.parametrize("mode", MONGO_LEADS)
def test_a_legacy_delete_concurrent_with_a_backfill_batch(legacy, monkeypatch, mode):
    """The legacy admin deletes a document after its batch was read, before it loads: the run ends with no
    row for it, whatever the mode's load does with the batch (loads it from the read, or re-reads it)."""
    payments = [legacy.payment() for _ in range(4)]
    _parents()
    set_store_mode("payment", mode)
    victim = payments[1]["_id"]
    real_transform = runner.transform
    deleted = []

    def transform_then_delete(record_map, docs, **kwargs):
        out = real_transform(record_map, docs, **kwargs)
        if record_map.collection == "payments" and not deleted:
            legacy.db.payments.delete_one({"_id": victim})
            deleted.append(victim)
        return out

    monkeypatch.setattr(runner, "transform", transform_then_delete)
    monkeypatch.setattr(runner, "prepares_in_workers", lambda *args: False)  # batches transformed here
    backfill_domain("payment", batch_size=10)
    assert deleted
    assert not Payment.objects.filter(pk=str(victim)).exists()
    assert Payment.objects.count() == 3
    assert verify_domain("payment").passed


def test_a_row_still_referenced_stays_as_a_blocking_reject(legacy):
    """A user document deleted while a payment still names it: the payment's row protects the user's; the
    user becomes an open reject saying which rows hold it (never a silent keep, never a cascade)."""
    payment = _loaded_payments(legacy, 1)[0]
    set_store_mode("auth", "dual_mongo_primary")
    legacy.db.users.delete_one({"_id": payment["buyerId"]})
    run = backfill_domain("auth")
    assert run.summary["users"]["deleted"] == 0
    reject = BackfillReject.objects.get(record_id=str(payment["buyerId"]), status="open")
    assert reject.kind == "still_referenced" and "payments" in reject.reason
    assert rejects_resolved_or_acknowledged_before_postgres_leads("auth", StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL)
    backfill_domain("auth")  # a rerun keeps it open: its document is gone on purpose, not "resolved"
    assert BackfillReject.objects.get(record_id=str(payment["buyerId"])).status == "open"


def _deposit(legacy, payment: dict, reference: str, balance: str) -> dict:
    doc = {
        "_id": ObjectId(),
        "paymentId": payment["_id"],
        "userId": payment["buyerId"],
        "entryType": "deposit",
        "direction": "credit",
        "amount": Decimal128("100"),
        "currency": "USDT",
        "balanceAfter": Decimal128(balance),
        "reference": reference,
        "createdAt": payment["createdAt"],
    }
    legacy.db.fundsledgerentries.insert_one(doc)
    return doc


def _balances(user_id: str) -> tuple[Decimal, Decimal]:
    stores = domain_spec("ledger").backends()
    return tuple(stores[name].balance(user_id=user_id, currency="USDT") for name in ("mongo", "postgres"))


@pytest.fixture
def duplicate_deposit_deleted(legacy):
    """A duplicate deposit, backfilled, then deleted by a legacy admin while Mongo leads (100 in both stores while
    its reject is open: a row with an unresolved reject counts in no balance)."""
    payment = _loaded_payments(legacy, 1)[0]
    _deposit(legacy, payment, "dep-1", "100")
    duplicate = _deposit(legacy, payment, "dep-1-again", "200")
    backfill_domain("ledger")
    set_store_mode("ledger", "dual_mongo_primary")
    legacy.db.fundsledgerentries.delete_one({"_id": duplicate["_id"]})
    run = backfill_domain("ledger")
    assert run.summary["fundsledgerentries"]["deleted"] == 0
    return str(payment["buyerId"]), str(duplicate["_id"])


def test_a_deleted_ledger_document_is_a_blocking_conflict_naming_its_effect(duplicate_deposit_deleted):
    user_id, entry_id = duplicate_deposit_deleted
    assert LedgerEntry.objects.filter(pk=entry_id).exists()  # append-only: the row stays
    reject = BackfillReject.objects.get(record_id=entry_id, status="open")
    assert reject.kind == "deleted_entry"
    assert "+100 USDT" in reject.reason and user_id in reject.reason and "resolve_deleted_entry" in reject.reason
    assert rejects_resolved_or_acknowledged_before_postgres_leads(
        "ledger", StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL
    )
    backfill_domain("ledger")  # a rerun keeps it open
    assert BackfillReject.objects.get(pk=reject.pk).status == "open"
    alice = make_user("alice", "cutover.acknowledge_backfillreject")
    with pytest.raises(RejectAcknowledgementRefused, match="resolve_deleted_entry"):
        backfill_reject_acknowledge(reject_ids=[reject.pk], user=alice, reason="fine, it may stay out")


def test_a_compensating_entry_resolves_it_and_both_stores_agree(duplicate_deposit_deleted):
    user_id, entry_id = duplicate_deposit_deleted
    assert _balances(user_id) == (Decimal("100"), Decimal("100"))  # open reject: the entry counts in neither store
    reject = BackfillReject.objects.get(record_id=entry_id, status="open")
    make_user("alice", "cutover.acknowledge_backfillreject")
    call_command(
        "resolve_deleted_entry", str(reject.pk), "--compensate", "--user", "alice", "--reason", "a duplicate deposit"
    )
    reject.refresh_from_db()
    assert reject.status == "resolved" and reject.acknowledged_by_name == "alice"
    assert "compensated by entry" in reject.acknowledgement_reason and "duplicate" in reject.acknowledgement_reason
    assert _balances(user_id) == (Decimal("100"), Decimal("100"))
    assert LedgerEntry.objects.filter(reverses_entry_id=entry_id).count() == 1
    assert verify_domain("ledger").passed
    assert not rejects_resolved_or_acknowledged_before_postgres_leads(
        "ledger", StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL
    )


def test_an_audited_decision_that_the_entry_stands_resolves_it(duplicate_deposit_deleted):
    user_id, entry_id = duplicate_deposit_deleted
    reject = BackfillReject.objects.get(record_id=entry_id, status="open")
    make_user("alice", "cutover.acknowledge_backfillreject")
    call_command(
        "resolve_deleted_entry", str(reject.pk), "--stands", "--user", "alice", "--reason", "the deposit was real"
    )
    assert _balances(user_id) == (Decimal("200"), Decimal("200"))
    assert BackfillReject.objects.get(pk=reject.pk).status == "resolved"
    assert verify_domain("ledger").passed


def test_resolving_needs_the_permission_and_an_open_deleted_entry(duplicate_deposit_deleted):
    _, entry_id = duplicate_deposit_deleted
    reject = BackfillReject.objects.get(record_id=entry_id, status="open")
    make_user("bob")
    with pytest.raises(CommandError, match="lacks the permission"):
        call_command(
            "resolve_deleted_entry",
            str(reject.pk),
            "--stands",
            "--user",
            "bob",
            "--reason",
            "bob has no permission here",
        )
    make_user("alice", "cutover.acknowledge_backfillreject")
    with pytest.raises(CommandError, match="no backfill reject"):
        call_command(
            "resolve_deleted_entry", "999999", "--stands", "--user", "alice", "--reason", "no such reject exists"
        )
    assert BackfillReject.objects.get(pk=reject.pk).status == "open"


@pytest.mark.parametrize("mode", MONGO_LEADS)
def test_a_message_pulled_from_its_chat_in_mongo_loses_its_row(legacy, mode):
    from chat.models import ChatMessage
    from tests.chat.legacy_chats import legacy_chat

    doc = legacy_chat(legacy.db, messages=30)
    backfill_domain("chat")
    set_store_mode("chat", mode)
    pulled = doc["messages"][7]["_id"]
    legacy.db.chats.update_one({"_id": doc["_id"]}, {"$pull": {"messages": {"_id": pulled}}})
    assert backfill_domain("chat").summary["chat_messages"]["deleted"] == 1
    assert not ChatMessage.objects.filter(pk=str(pulled)).exists()
    assert ChatMessage.objects.filter(chat_id=str(doc["_id"])).count() == 29
    assert verify_domain("chat").passed
