"""Each legacy seller shape of a derived destination round-trips exactly, through Postgres too."""

import pytest
from bson import ObjectId
from django.db import IntegrityError, transaction

from cutover.modes.registry import domain_spec
from cutover.store.legacy import now_ms
from payments.models import DerivedDestination
from payments.repositories.mapping import DESTINATION
from tests.factories import a_purchase_request, a_user, an_offer


def _legacy_doc(**seller) -> dict:
    at = now_ms()
    request = a_purchase_request()
    return {
        "_id": ObjectId(),
        "purchaseRequestId": ObjectId(request.id),
        "address": f"T{ObjectId()}",
        "network": "tron",
        "derivationPath": "m/44'/195'/0'/0/7",
        "status": "active",
        "createdAt": at,
        "updatedAt": at,
        **seller,
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shape", ["user", "offer", "external"])
def test_round_trip_of_each_seller_shape(shape):
    seller = {
        "user": lambda: {"sellerId": ObjectId(a_user().id)},
        "offer": lambda: {"sellerId": None, "sellerOfferId": ObjectId(an_offer().id)},
        "external": lambda: {"sellerId": "ext:binance:88123"},
    }[shape]()
    doc = _legacy_doc(**seller)
    record = DESTINATION.from_document(doc)
    assert record.seller_ref_kind == shape
    assert DESTINATION.to_document(record) == doc  # the exact legacy shape comes back

    postgres = domain_spec("derived_destination").backends()["postgres"]
    postgres.put_snapshot(record)
    assert postgres.get_snapshot("deriveddestinations", record.id) == record
    assert DESTINATION.to_document(postgres.get_snapshot("deriveddestinations", record.id)) == doc


def test_a_missing_seller_id_with_an_offer_reads_as_the_offer_shape():
    doc = {
        "_id": ObjectId(),
        "purchaseRequestId": ObjectId(),
        "address": "T1",
        "network": "tron",
        "derivationPath": "m",
        "sellerOfferId": str(ObjectId()),
        "createdAt": now_ms(),
    }
    assert DESTINATION.from_document(doc).seller_ref_kind == "offer"


def test_no_seller_at_all_is_refused_with_the_field_named():
    with pytest.raises(ValueError, match="sellerId: expected a user ObjectId, an external reference"):
        DESTINATION.from_document(
            {
                "_id": ObjectId(),
                "purchaseRequestId": ObjectId(),
                "address": "T1",
                "network": "tron",
                "derivationPath": "m",
                "createdAt": now_ms(),
            }
        )


@pytest.mark.django_db(transaction=True)
def test_the_check_constraint_refuses_a_mixed_shape():
    user = a_user()
    with pytest.raises(IntegrityError, match="derived_destinations_seller_shape"), transaction.atomic():
        DerivedDestination.objects.create(
            id=str(ObjectId()),
            purchase_request_id=a_purchase_request().id,
            address="T9",
            network="tron",
            derivation_path="m",
            status="active",
            seller_ref_kind="user",
            seller_user_id=user.id,
            seller_external_ref="ext:also",
            created_at=now_ms(),
            updated_at=now_ms(),
        )
