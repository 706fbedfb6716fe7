"""trezor derivedAddresses: element values in legacy forms, rewritten when one element changes."""

import pytest
from bson import Int64, ObjectId

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.modes.store_mode import MIGRATION_ORDER
from cutover.testing import set_store_mode
from tests.backfill.conftest import MISSING, postgres_record
from trezor.services import trezor_address_derive, trezor_address_mark_used


def _account(legacy, addresses):
    user = legacy.user()
    return legacy._insert(
        "trezoraccounts",
        {
            "_id": ObjectId(),
            "userId": user["_id"],
            "label": "main",
            "xpub": f"xpub-{ObjectId()}",
            "network": "eth",
            "accountIndex": 0,
            "derivedAddresses": addresses,
            "createdAt": legacy.at,
            "updatedAt": legacy.at,
        },
    )


def _legacy_items(legacy):
    return [
        {
            "_id": ObjectId(),
            "index": Int64(0),
            "address": "0xa",
            "path": "m/0",
            "usedAt": "2024-01-01T00:00:00Z",
            "tag": 1,
        },
        {"_id": ObjectId(), "index": Int64(1), "address": "0xb", "path": "m/1"},
    ]


def _backfill():
    backfill_domain("auth")
    backfill_domain("trezor")


@pytest.mark.parametrize("mode", ["dual_mongo_primary", "dual"])
def test_marking_one_address_used_keeps_its_siblings_stored_form(legacy, mode):
    items = _legacy_items(legacy)
    account = _account(legacy, items)
    _backfill()
    set_store_mode("trezor", mode)
    trezor_address_mark_used(account_id=str(account["_id"]), index=1)
    doc = legacy.db.trezoraccounts.find_one({"_id": account["_id"]})
    first, second = doc["derivedAddresses"]
    assert second["usedAt"] is not None and second["_id"] == items[1]["_id"]
    assert first == items[0] and type(first["index"]) is Int64 and type(first["usedAt"]) is str


@pytest.mark.parametrize("shape", ["missing", "null", "empty"])
@pytest.mark.parametrize("mode", MIGRATION_ORDER, ids=lambda mode: mode.value)
def test_derive_and_mark_on_odd_arrays(legacy, mode, shape):
    account = _account(legacy, {"missing": MISSING, "null": None, "empty": []}[shape])
    _backfill()
    set_store_mode("trezor", mode)
    trezor_address_derive(account_id=str(account["_id"]), address="0xc", path="m/0")
    trezor_address_mark_used(account_id=str(account["_id"]), index=0)
    if mode.value == "mongo":
        backfill_domain("trezor", restart=True)
    row = postgres_record("trezor", "trezoraccounts", account["_id"])
    assert [(a.index, a.address, a.used_at is not None) for a in row.derived_addresses] == [(0, "0xc", True)]
    if mode.value != "postgres":
        doc = legacy.db.trezoraccounts.find_one({"_id": account["_id"]})
        assert [(a["index"], a["address"], a.get("usedAt") is not None) for a in doc["derivedAddresses"]] == [
            (0, "0xc", True)
        ]
        assert verify_domain("trezor").passed


@pytest.mark.parametrize("mode", ["dual_mongo_primary", "dual"])
def test_marking_keeps_element_unknown_keys(legacy, mode):
    items = _legacy_items(legacy)
    account = _account(legacy, items)
    _backfill()
    set_store_mode("trezor", mode)
    trezor_address_mark_used(account_id=str(account["_id"]), index=1)
    doc = legacy.db.trezoraccounts.find_one({"_id": account["_id"]})
    assert [a["_id"] for a in doc["derivedAddresses"]] == [i["_id"] for i in items]
    assert doc["derivedAddresses"][0]["tag"] == 1
    assert verify_domain("trezor").passed
