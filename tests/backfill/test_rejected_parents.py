"""Issue 8, item 10 (the reject side): one rejected parent does not silently take its subtree with it.
Each orphan of a rejected parent names that parent and its reason; the reject list filters to root
causes; fixing the parent and rerunning brings the whole subtree in."""

import pytest
from bson import Decimal128, ObjectId
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillReject
from tests.backfill.conftest import postgres_record
from tests.cutover.helpers import make_user


def _offer(legacy, seller: dict) -> dict:
    category = legacy.category()
    return legacy._insert(
        "selleroffers",
        {
            "_id": ObjectId(),
            "sellerId": seller["_id"],
            "categoryId": category["_id"],
            "title": "Gift cards",
            "description": "",
            "price": Decimal128("25.00"),
            "currency": "USDT",
            "status": "active",
            "createdAt": legacy.at,
            "updatedAt": legacy.at,
        },
    )


@pytest.fixture
def subtree(legacy):
    """A user whose document cannot be migrated (a retired role), with an offer, a request and a payment."""
    buyer, seller = legacy.user(role="superhero"), legacy.user()
    offer = _offer(legacy, buyer)
    request = legacy.purchase_request(buyer, seller)
    payment = legacy.payment(buyerId=buyer["_id"], sellerId=seller["_id"], purchaseRequestId=request["_id"])
    return {"user": buyer, "offer": offer, "request": request, "payment": payment}


def _backfill_all() -> int:
    """`manage.py backfill --all`; its exit status (1 when anything was rejected)."""
    try:
        call_command("backfill", "--all", "--json")
    except CommandError as exit_:
        return exit_.returncode
    return 0


def _reject(collection: str, doc: dict) -> BackfillReject:
    return BackfillReject.objects.get(collection=collection, record_id=str(doc["_id"]))


def test_orphans_name_the_rejected_parent_and_its_reason(subtree):
    assert _backfill_all() == 1
    user_id = str(subtree["user"]["_id"])
    root = _reject("users", subtree["user"])
    assert (root.kind, root.blocked_by) == ("bad_value", "")
    assert "role" in root.reason
    for collection, key, name in (("selleroffers", "sellerId", "offer"), ("purchaserequests", "buyerId", "request")):
        orphan = _reject(collection, subtree[name])
        assert orphan.kind == "orphan" and orphan.blocked_by == f"users/{user_id}"
        assert f"orphan: {key} {user_id} is rejected (users/{user_id}: bad_value role" in orphan.reason
    payment = _reject("payments", subtree["payment"])
    request_id = str(subtree["request"]["_id"])
    assert f"buyerId {user_id} is rejected (users/{user_id}: bad_value role" in payment.reason
    assert (
        f"purchaseRequestId {request_id} is rejected (purchaserequests/{request_id}: orphan: buyerId" in payment.reason
    )
    assert payment.blocked_by == f"users/{user_id}"  # of its two rejected parents, the root cause


def test_an_orphan_whose_parent_is_simply_missing_is_a_root_cause(legacy):
    payment = legacy.payment(buyerId=ObjectId())
    backfill_domain("auth")
    backfill_domain("marketplace")
    backfill_domain("payment")
    reject = _reject("payments", payment)
    assert reject.blocked_by == "" and f"orphan: buyerId {payment['buyerId']} not found in users" in reject.reason


def test_the_reject_list_filters_to_root_causes(subtree, capsys, client):
    _backfill_all()
    assert BackfillReject.objects.filter(status="open").count() == 4
    capsys.readouterr()
    call_command("backfill_rejects", "--root-causes")
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and f"users/{subtree['user']['_id']} bad_value" in out[0]
    assert out[-1] == "1 root-cause open reject(s)"

    client.force_login(make_user("viewer", "cutover.view_backfillreject"))
    url = reverse("admin:cutover_backfillreject_changelist")
    roots = client.get(url, {"cause": "root"}).content.decode()
    assert str(subtree["user"]["_id"]) in roots and str(subtree["payment"]["_id"]) not in roots
    blocked = client.get(url, {"cause": "blocked"}).content.decode()
    assert str(subtree["payment"]["_id"]) in blocked


def test_fixing_the_parent_and_rerunning_brings_the_subtree_in(subtree, legacy):
    assert _backfill_all() == 1
    legacy.db.users.update_one({"_id": subtree["user"]["_id"]}, {"$set": {"role": "user"}})
    assert _backfill_all() == 0
    assert set(BackfillReject.objects.values_list("status", flat=True)) == {"resolved"}
    assert postgres_record("auth", "users", subtree["user"]["_id"]).role == "user"
    assert postgres_record("marketplace", "selleroffers", subtree["offer"]["_id"]) is not None
    assert postgres_record("marketplace", "purchaserequests", subtree["request"]["_id"]) is not None
    assert postgres_record("payment", "payments", subtree["payment"]["_id"]).buyer_id == str(subtree["user"]["_id"])
    assert all(verify_domain(domain).passed for domain in ("auth", "marketplace", "payment"))


def test_once_the_parent_is_acknowledged_its_orphans_are_root_causes_themselves(subtree, capsys):
    from cutover.backfill.review import backfill_reject_acknowledge, backfill_rejects

    _backfill_all()
    user = make_user("ops", "cutover.acknowledge_backfillreject")
    backfill_reject_acknowledge(reject_ids=[_reject("users", subtree["user"]).pk], user=user, reason="test account")
    roots = set(backfill_rejects(root_causes_only=True).values_list("collection", flat=True))
    assert roots == {"selleroffers", "purchaserequests", "payments"}  # each still missing: each needs a decision
