"""Issue 8 item 10: a rejected parent's subtree: named, and loaded once the parent is fixed."""

from cutover.backfill.service import backfill_domain
from cutover.models import BackfillReject
from tests.backfill.conftest import postgres_record


def _dirty_buyer_payment(legacy):
    payment = legacy.payment()
    legacy.db.users.update_one({"_id": payment["buyerId"]}, {"$set": {"email": "no-at-sign"}})
    return payment


def test_an_orphan_names_its_rejected_parent(legacy):
    payment = _dirty_buyer_payment(legacy)
    for domain in ("auth", "marketplace", "payment"):
        backfill_domain(domain)
    orphan = BackfillReject.objects.get(status="open", collection="payments", record_id=str(payment["_id"]))
    assert "email" in orphan.reason or "rejected" in orphan.reason


def test_fixing_the_parent_brings_the_subtree_in(legacy):
    payment = _dirty_buyer_payment(legacy)
    for domain in ("auth", "marketplace", "payment"):
        backfill_domain(domain)
    assert postgres_record("payment", "payments", payment["_id"]) is None
    legacy.db.users.update_one({"_id": payment["buyerId"]}, {"$set": {"email": "fixed@example.com"}})
    for domain in ("auth", "marketplace", "payment"):
        backfill_domain(domain)
    assert postgres_record("payment", "payments", payment["_id"]) is not None
    assert not BackfillReject.objects.filter(status="open").exists()
