"""Issue 8 item 7 (dry run is dry on every path; reverse refuses while Mongo leads), via the command."""

from bson import Int64
from django.core.management import call_command
from django.core.management.base import CommandError

from cutover.backfill.service import backfill_domain
from cutover.models import BackfillRun
from cutover.testing import set_store_mode


def _backfill(*domains):
    for name in ("auth", "marketplace", *domains):
        backfill_domain(name)


def _run_command(*args):
    try:
        call_command("backfill", *args, "--json")
    except (CommandError, SystemExit, Exception) as error:  # a refusal is a fine answer
        return error
    return None


def test_reverse_dry_run_writes_nothing(legacy):
    payment = legacy.payment(confirmations=3)
    _backfill("payment")
    set_store_mode("payment", "postgres")  # reverse is legitimate here; only the dry run is asked
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": {"confirmations": Int64(99)}})
    _run_command("payment", "--reverse", "--dry-run")
    assert legacy.db.payments.find_one({"_id": payment["_id"]})["confirmations"] == 99
    assert not BackfillRun.objects.filter(direction="reverse", dry_run=False).exists()


def test_reverse_refuses_while_mongo_leads(legacy):
    payment = legacy.payment(confirmations=3)
    _backfill("payment")
    set_store_mode("payment", "mongo")
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": {"confirmations": 42}})
    _run_command("payment", "--reverse")
    assert legacy.db.payments.find_one({"_id": payment["_id"]})["confirmations"] == 42


def test_via_celery_dry_run_is_dry_or_refused(legacy, monkeypatch):
    import cutover.backfill.shards as shards

    calls = []

    def fake(domain, **kwargs):
        calls.append(kwargs)
        raise CommandError("stub: not running celery in this test")

    monkeypatch.setattr(shards, "backfill_domain_via_celery", fake)
    _run_command("payment", "--via-celery", "--dry-run")
    assert not calls or calls[0].get("dry_run") is True


def test_forward_dry_run_writes_nothing(legacy):
    payment = legacy.payment(createdAt="garbage")
    _backfill()
    _run_command("payment", "--dry-run")
    from cutover.models import BackfillCheckpoint, BackfillReject
    from tests.backfill.conftest import postgres_record

    assert postgres_record("payment", "payments", payment["_id"]) is None
    assert not BackfillReject.objects.filter(collection="payments").exists()
    assert not BackfillCheckpoint.objects.filter(collection="payments").exists()
    assert not BackfillRun.objects.filter(domain="payment", dry_run=False).exists()


def test_a_dry_run_reports_id_clashes(legacy):
    from bson import Decimal128

    first = legacy.payment(amount=Decimal128("100"))
    legacy.db.payments.insert_one(dict(first, _id=str(first["_id"]), amount=Decimal128("999")))
    _backfill()
    run = backfill_domain("payment", dry_run=True)
    assert run.summary["payments"]["rejected"] == 1 and run.summary["payments"]["written"] == 1
