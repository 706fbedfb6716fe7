"""Issue 23 case 6: a document recreated from its row (the reverse backfill, a mirror's insert) leaves out
the keys the legacy document did not have, keeps a null or "" that read as absent, and JSON payloads
(notifications.data, request template fields) keep their key order through Postgres."""

import bson
from bson import ObjectId

from cutover.backfill.reverse import reverse_backfill_domain
from cutover.backfill.service import backfill_domain
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from tests.backfill.conftest import MISSING

ORDERED = {"zeta": 1, "alpha": {"y": 2, "b": [3, {"k": 1, "a": 2}]}, "mid": "x"}


def _recreated(legacy, domain: str, collection: str, doc: dict) -> dict:
    """`doc` deleted from Mongo while Postgres leads, then written back by the reverse backfill."""
    set_store_mode(domain, "postgres")
    legacy.db[collection].delete_one({"_id": doc["_id"]})
    set_store_mode(domain, "dual")
    reverse_backfill_domain(domain)
    return legacy.db[collection].find_one({"_id": doc["_id"]})


def test_a_recreated_document_leaves_out_what_the_legacy_document_did_not_have(legacy):
    user = legacy.user(displayName=MISSING, isVerified=MISSING, level=MISSING, role=MISSING, updatedAt=MISSING,
                       telegramId=None, createdAt=MISSING)
    backfill_domain("auth")
    back = _recreated(legacy, "auth", "users", user)
    assert back == user, {key: (user.get(key), back.get(key)) for key in user.keys() | back.keys()}
    assert "displayName" not in back and "isVerified" not in back and "level" not in back
    assert back["telegramId"] is None  # a null stays a null


def test_a_changed_value_is_written_where_the_key_was_absent(legacy):
    from accounts.services import user_update

    user = legacy.user(displayName=MISSING, level=MISSING)
    backfill_domain("auth")
    set_store_mode("auth", "postgres")
    user_update(user_id=str(user["_id"]), display_name="Named")
    legacy.db.users.delete_one({"_id": user["_id"]})
    set_store_mode("auth", "dual")
    reverse_backfill_domain("auth")
    back = legacy.db.users.find_one({"_id": user["_id"]})
    assert back["displayName"] == "Named" and "level" not in back


def test_json_payloads_keep_their_key_order_both_ways(legacy):
    user = legacy.user()
    note = legacy.notification(user, data=ORDERED, body=MISSING)
    backfill_domain("auth")
    backfill_domain("notification")
    row = domain_spec("notification").postgres_model("notifications").objects.get(pk=str(note["_id"]))
    assert list(row.data) == ["zeta", "alpha", "mid"]
    back = _recreated(legacy, "notification", "notifications", note)
    assert bson.encode(back["data"]) == bson.encode(ORDERED)  # the same keys in the same order, the same types
    assert "body" not in back and back == note


def test_a_document_without_an_owned_key_mirrored_into_an_existing_document_gains_nothing(legacy):
    user = legacy.user(displayName=MISSING, isVerified=MISSING)
    backfill_domain("auth")
    from cutover.mirror.copy import mirror_record

    set_store_mode("auth", "dual")
    mirror_record("auth", "users", str(user["_id"]), "mongo")
    assert legacy.db.users.find_one({"_id": user["_id"]}) == user
    assert isinstance(user["_id"], ObjectId)
