"""Verify's render-back on a field kept under several keys (a Composite): a derived destination whose seller
is a user (`sellerId`) and whose document also holds a `sellerOfferId` the reading does not use. The record
keeps that key's stored value (cutover.store.absent); the render compares what the map writes for the
composite, and the key it does not write as stored: a right row passes, a wrong reading still fails."""

import dataclasses

import pytest
from bson import ObjectId

from cutover.backfill import renderback
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillReject
from payments.repositories.mapping import DESTINATION, SELLER
from tests.backfill.conftest import postgres_record

DOMAINS = ("auth", "marketplace", "derived_destination")


def _destination(legacy, **seller) -> dict:
    buyer, owner = legacy.user(), legacy.user()
    request = legacy.purchase_request(buyer, owner)
    doc = {
        "_id": ObjectId(),
        "purchaseRequestId": request["_id"],
        "address": f"T{ObjectId()}",
        "network": "tron",
        "derivationPath": "m/44'/195'/0'/0/7",
        "status": "active",
        "createdAt": legacy.at,
        "updatedAt": legacy.at,
        **seller,
    }
    legacy.db.deriveddestinations.insert_one(doc)
    return doc


def _both_keys(legacy) -> dict:
    return _destination(legacy, sellerId=legacy.user()["_id"], sellerOfferId=ObjectId())


def test_a_user_seller_with_an_unused_offer_id_passes_verify(legacy):
    doc = _both_keys(legacy)
    for domain in DOMAINS:
        backfill_domain(domain)
    assert not BackfillReject.objects.exists()
    row = postgres_record("derived_destination", "deriveddestinations", doc["_id"])
    assert row.seller_ref_kind == "user" and row.seller_user_id == str(doc["sellerId"])
    assert DESTINATION.to_document(row) == doc  # the offer id is kept on write-back
    result = verify_domain("derived_destination")
    assert result.passed, (result.counts, result.samples)


def test_the_render_still_sees_a_wrong_seller_or_a_changed_offer_id(legacy):
    doc = _both_keys(legacy)
    record = DESTINATION.from_document(doc)
    assert renderback.differences(DESTINATION, doc, record) == []
    wrong_user = dataclasses.replace(record, seller_user_id=str(ObjectId()))
    assert [d["key"] for d in renderback.differences(DESTINATION, doc, wrong_user)] == ["sellerId"]
    other_offer = doc | {"sellerOfferId": ObjectId()}
    assert [d["key"] for d in renderback.differences(DESTINATION, other_offer, record)] == ["sellerOfferId"]


def _offer_first(doc: dict) -> dict:
    """A wrong reading: the offer wins over the user seller."""
    empty = {"seller_user_id": None, "seller_offer_id": None, "seller_external_ref": None}
    if doc.get("sellerOfferId") is not None:
        return empty | {"seller_ref_kind": "offer", "seller_offer_id": str(doc["sellerOfferId"])}
    return _right_read(doc)


_right_read = SELLER.read


@pytest.fixture
def offer_first_reading():
    object.__setattr__(SELLER, "read", _offer_first)
    yield
    object.__setattr__(SELLER, "read", _right_read)


def test_the_render_fails_a_composite_that_reads_the_wrong_key(legacy, offer_first_reading):
    doc = _both_keys(legacy)
    record = DESTINATION.from_document(doc)
    assert record.seller_ref_kind == "offer"  # the wrong reading took it
    found = renderback.differences(DESTINATION, doc, record)
    assert [(d["key"], d["rendered"]) for d in found] == [("sellerId", "None")]
