"""What a real MongoDB does and mongomock alone would hide (issue 9), on the strict stand-in
(tests/strict_mongo.py): one test per item."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from bson import Decimal128, ObjectId
from bson.datetime_ms import DatetimeMS
from django.core.management import CommandError, call_command

from accounts.services import telegram_session_start
from cutover.backfill.service import backfill_domain
from cutover.backfill.transform import transform
from cutover.backfill.verify import verify_domain
from cutover.factory import repository_for
from cutover.modes.registry import declared_mongo_indexes, domain_spec
from cutover.store.backends.errors import UniqueConflict
from cutover.store.legacy import now_ms
from cutover.store.mongo_indexes import ensure_mongo_indexes
from cutover.testing import set_store_mode
from escrow_project.mongo import mongo_client
from notifications.services import notification_mark_read
from tests.backfill.conftest import postgres_record


def _parents():
    backfill_domain("auth")
    backfill_domain("marketplace")


def test_a_unique_clash_on_another_index_is_reported_as_such(legacy):
    """Item 1: E11000 on `email` is a UniqueConflict, never taken for a race on `_id` and retried."""
    ensure_mongo_indexes(declared_mongo_indexes(["auth"]))
    taken = legacy.user(email="taken@example.com")
    mine = legacy.user()
    _parents()
    legacy.db.users.delete_one({"_id": mine["_id"]})  # Mongo lost it; Postgres must put it back...
    stores = domain_spec("auth").backends()
    record = stores["postgres"].get_snapshot("users", str(mine["_id"]))
    clashing = record.__class__(**{**record.__dict__, "email": taken["email"]})
    with pytest.raises(UniqueConflict, match="email"):
        stores["mongo"].put_snapshot(clashing)


def test_a_copy_toward_mongo_while_it_leads_never_overwrites_the_document(legacy):
    """Mongo leads (`mongo`): the legacy write stands; an outbox copy from Postgres is not made (the leader's
    state is the truth; no clock is compared)."""
    from cutover.mirror.copy import mirror_record

    payment = legacy.payment()
    _parents()
    backfill_domain("payment")
    legacy.db.payments.update_one(
        {"_id": payment["_id"]}, {"$set": {"status": "released", "updatedAt": now_ms() - timedelta(hours=1)}}
    )
    mirror_record("payment", "payments", str(payment["_id"]), "mongo")
    assert legacy.db.payments.find_one({"_id": payment["_id"]})["status"] == "released"


def test_dates_outside_years_1_to_9999_become_rejects(legacy):
    """Item 2: decoded as DatetimeMS (the real client asks for DATETIME_AUTO), one document's reject."""
    assert str(mongo_client("mongodb://127.0.0.1:9/x").codec_options.datetime_conversion).endswith("DATETIME_AUTO")
    record_map = domain_spec("payment").record_map("payments")
    out = transform(record_map, [{"_id": ObjectId(), "createdAt": DatetimeMS(2**62)}])
    assert [reject.kind for reject in out.rejects] == ["bad_value"]


def test_legacy_indexes_are_reconciled_one_by_one(legacy):
    """Item 4: a plain createdAt_1 becomes the TTL index in place; a unique+sparse txHash_1 is reported;
    every other index is still created."""
    legacy.db.notifications.create_index([("createdAt", 1)], name="createdAt_1")
    legacy.db.payments.create_index([("txHash", 1)], name="txHash_1", unique=True, sparse=True)
    outcomes = {(o.collection, o.name): o for o in ensure_mongo_indexes(declared_mongo_indexes())}
    assert outcomes["notifications", "createdAt_1"].status == "converted_to_ttl"
    assert legacy.db.notifications.index_information()["createdAt_1"]["expireAfterSeconds"] == 90 * 24 * 3600
    assert outcomes["payments", "txHash_1"].status == "conflict"
    assert "sparse" in outcomes["payments", "txHash_1"].detail
    assert outcomes["telegramsessions", "expiresAt_1"].status == "created"
    with pytest.raises(CommandError, match="1 of"):
        call_command("ensure_mongo_indexes")


def test_absent_optional_fields_are_omitted_so_sparse_unique_indexes_hold(legacy):
    """Item 5: two payments without txHash under the legacy unique+sparse index: no E11000."""
    legacy.db.payments.create_index([("txHash", 1)], name="txHash_1", unique=True, sparse=True)
    payment = legacy.payment()
    for _ in range(2):
        repository_for("payment").create_payment(
            purchase_request_id=str(payment["purchaseRequestId"]),
            buyer_id=str(payment["buyerId"]),
            seller_id=str(payment["sellerId"]),
            amount=Decimal("1"),
            currency="USDT",
            network="tron",
        )
    assert legacy.db.payments.count_documents({"txHash": {"$exists": False}}) == 2


@pytest.mark.parametrize("missing", [{}, {"evidence": None, "timeline": None}])
def test_a_dispute_without_its_arrays_takes_evidence(legacy, missing):
    """Item 6: no `$size` guard on a missing or null array: the append succeeds at once."""
    payment = legacy.payment()
    dispute = legacy._insert(
        "disputes",
        {
            "_id": ObjectId(),
            "purchaseRequestId": payment["purchaseRequestId"],
            "openedById": payment["buyerId"],
            "againstUserId": payment["sellerId"],
            "reason": "fraud",
            "status": "open",
            "createdAt": now_ms(),
            "updatedAt": now_ms(),
        }
        | missing,
    )
    record = repository_for("dispute").add_evidence(
        str(dispute["_id"]), url="http://e", uploaded_by_id=str(payment["buyerId"])
    )
    assert [item.url for item in record.evidence] == ["http://e"]
    assert legacy.db.disputes.find_one({"_id": dispute["_id"]})["evidence"][0]["url"] == "http://e"


def test_free_form_data_keeps_its_bson_types_through_postgres(legacy):
    """Item 7: ObjectId, Date and Decimal128 inside a notification's `data` migrate and come back."""
    user = legacy.user()
    data = {"offerId": ObjectId(), "at": datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC), "amount": Decimal128("1.50")}
    note = legacy.notification(user, data=data, createdAt=now_ms())
    _parents()
    backfill_domain("notification")
    assert verify_domain("notification").passed
    set_store_mode("notification", "dual")
    notification_mark_read(notification_id=str(note["_id"]))
    stored = legacy.db.notifications.find_one({"_id": note["_id"]})
    assert stored["isRead"] is True and stored["data"] == data
    assert postgres_record("notification", "notifications", note["_id"]).data["offerId"] == {
        "$oid": str(data["offerId"])
    }


def test_queries_by_a_partially_indexed_key_state_the_indexs_type(legacy, monkeypatch):
    """Item 10: find({txHash: x}) cannot use the partial {$type: "string"} index; the query says it."""
    seen = []
    collection_class = type(legacy.db.payments)
    find = collection_class.find
    monkeypatch.setattr(collection_class, "find", lambda self, *a, **k: seen.append(a[0]) or find(self, *a, **k))
    repository_for("payment").get_payment_by_tx_hash("0xabc")
    assert {"txHash": {"$eq": "0xabc", "$type": "string"}} in seen
    declared = {
        (i.collection, i.keys)
        for name in ("derived_destination", "marketplace", "trezor")
        for i in domain_spec(name).mongo_indexes
    }
    assert {
        ("deriveddestinations", (("purchaseRequestId", 1),)),
        ("categories", (("parentId", 1),)),
        ("trezoraccounts", (("userId", 1),)),
    } <= declared


def test_caller_times_are_kept_at_millisecond_precision_in_both_stores(transactional_db):
    """Item 11: an auth_date with microseconds is the same instant in Mongo and Postgres."""
    set_store_mode("auth", "dual")
    session = telegram_session_start(
        telegram_user_id=7, init_data="a=1", auth_date=datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    )
    stores = domain_spec("auth").backends()
    assert session.auth_date.microsecond == 678000
    assert (
        stores["mongo"].get_snapshot("telegramsessions", session.id)
        == stores["postgres"].get_snapshot("telegramsessions", session.id)
        == session
    )


def test_an_element_change_in_a_large_embedded_array_fits_in_one_command(legacy):
    """Item 12: rewriting one element of a ~9 MB array guards by length, not by the whole old array
    (which would double the command past 16 MiB)."""
    items = [
        {"index": i, "address": f"T{i:040d}", "path": "m/44'/195'/0'/0/" + str(i) + "x" * 160} for i in range(40000)
    ]
    account = legacy._insert(
        "trezoraccounts",
        {
            "_id": ObjectId(),
            "label": "big",
            "xpub": "xpub-big",
            "network": "tron",
            "accountIndex": 0,
            "derivedAddresses": items,
            "createdAt": now_ms(),
            "updatedAt": now_ms(),
        },
    )
    record = repository_for("trezor").mark_address_used(str(account["_id"]), index=39999)
    assert record.derived_addresses[-1].used_at is not None
    assert legacy.db.trezoraccounts.find_one({"_id": account["_id"]})["derivedAddresses"][-1]["usedAt"] is not None


def test_verify_compares_only_records_live_in_both_stores(legacy):
    """Item 8: Mongo's TTL monitor and the hourly purge do not run at the same moment; records at or past
    their end may be in one store only. A live record missing from one store still fails verify."""
    user = legacy.user()
    _parents()

    def note(age: timedelta) -> dict:
        return legacy.notification(user, createdAt=now_ms() - age)

    expired, ending, live = (
        note(timedelta(days=90, minutes=1)),
        note(timedelta(days=90) - timedelta(minutes=2)),
        note(timedelta(days=89)),
    )
    backfill_domain("notification")
    legacy.db.notifications.delete_one({"_id": expired["_id"]})  # the TTL monitor got there first
    postgres = domain_spec("notification").backends()["postgres"]
    postgres.delete_snapshot("notifications", str(ending["_id"]))  # the purge did
    assert verify_domain("notification").passed
    legacy.db.notifications.delete_one({"_id": live["_id"]})
    result = verify_domain("notification")
    assert not result.passed and result.counts["notifications"]["missing_in_mongo"] == 1


def test_requests_wait_out_an_election_and_scans_have_no_socket_timeout(settings):
    """Item 3: request clients wait longer than a replica-set election for a primary; backfill, verify and
    index builds get their own client, whose minutes-long scans no request-sized socket timeout cuts off."""
    import escrow_project.settings as configured
    from cutover.backfill.source import migration_source
    from escrow_project.mongo import reset_mongo_clients

    settings.MONGO_TIMEOUT_MS = configured.MONGO_TIMEOUT_MS  # the default, not the tests' short one
    settings.MONGO_URL = "mongodb://127.0.0.1:9/escrow"
    reset_mongo_clients()
    requests = mongo_client()
    assert requests.options.server_selection_timeout >= 12  # seconds: an election typically ends within 12 s
    assert requests.options.pool_options.socket_timeout is not None
    scans = migration_source().database.client
    assert scans is not requests and scans.options.pool_options.socket_timeout is None
    reset_mongo_clients()


def test_ensure_mongo_indexes_stops_at_once_when_mongo_is_unreachable(transactional_db, mongo_outage):
    """Not one timeout per index: the first connection failure ends the command in one line."""
    mongo_outage.start()
    with pytest.raises(CommandError, match="^MongoDB is unreachable, no index was changed"):
        call_command("ensure_mongo_indexes")
