"""The marketplace, payment and derived destination ports, in every store mode."""

from decimal import Decimal

import pytest

from cutover.store.backends.errors import UniqueConflict
from marketplace.rules import InvalidTransition
from payments.records import SellerRef
from tests.contract.conftest import assert_stores_follow_mode
from tests.factories import a_category, a_purchase_request, a_user, an_offer


def test_categories_offers_and_requests(repo_of):
    market = repo_of("marketplace")
    root = market.create_category(name="Games", slug="games")
    child = market.create_category(name="Keys", slug="game-keys", parent_id=root.id, sort_order=2)
    with pytest.raises(UniqueConflict):
        market.create_category(name="Again", slug="games")
    assert market.list_categories() == [root]
    assert market.list_categories(parent_id=root.id) == [child]

    seller, buyer = a_user(), a_user()
    offer = market.create_offer(
        seller_id=seller.id, category_id=child.id, title="Key", price=Decimal("19.99"), currency="USDT"
    )
    paused = market.set_offer_status(offer.id, status="paused")
    assert market.list_offers(seller_id=seller.id, status="paused") == [paused]

    request = market.create_purchase_request(
        buyer_id=buyer.id,
        category_id=child.id,
        title="Need a key",
        amount=Decimal("19.99"),
        currency="USDT",
        seller_offer_id=offer.id,
    )
    with pytest.raises(InvalidTransition):
        market.advance_purchase_request(request.id, to_status="completed")
    accepted = market.advance_purchase_request(request.id, to_status="accepted", seller_id=seller.id)
    assert (accepted.seller_id, accepted.accepted_at is not None) == (seller.id, True)
    assert market.list_purchase_requests(buyer_id=buyer.id) == [accepted]
    template = market.create_template(
        owner_id=buyer.id,
        category_id=child.id,
        title="Key request",
        fields=[{"key": "platform", "label": "Platform", "type": "text", "required": True}],
    )
    assert market.get_template(template.id) == template
    assert_stores_follow_mode("marketplace", market.mode, [root, child, paused, accepted, template])


def test_payments_with_unique_tx_hash(repo_of):
    payments = repo_of("payment")
    request = a_purchase_request()
    payment = payments.create_payment(
        purchase_request_id=request.id,
        buyer_id=request.buyer_id,
        seller_id=request.seller_id,
        amount=Decimal("10.5"),
        currency="USDT",
        network="tron",
    )
    confirmed = payments.update_payment(payment.id, status="confirmed", confirmations=12, tx_hash="0xabc")
    assert payments.get_payment_by_tx_hash("0xabc") == confirmed
    other = payments.create_payment(
        purchase_request_id=request.id,
        buyer_id=request.buyer_id,
        seller_id=request.seller_id,
        amount=Decimal("1"),
        currency="USDT",
        network="tron",
    )
    with pytest.raises(UniqueConflict, match="0xabc"):
        payments.update_payment(other.id, tx_hash="0xabc")
    assert payments.list_payments_for_request(request.id) == [confirmed, other]
    assert_stores_follow_mode("payment", payments.mode, [confirmed, other])


@pytest.mark.parametrize("kind", ["user", "offer", "external"])
def test_destinations_keep_each_seller_shape(repo_of, kind):
    destinations = repo_of("derived_destination")
    request = a_purchase_request()
    value = {"user": a_user().id, "offer": an_offer(category=a_category()).id, "external": "ext:binance:88123"}[kind]
    destination = destinations.create_destination(
        purchase_request_id=request.id,
        address=f"T-{kind}",
        network="tron",
        derivation_path="m/44'/195'/0'/0/1",
        seller=SellerRef(kind, value),
    )
    assert destination.seller == SellerRef(kind, value)
    used = destinations.set_destination_status(destination.id, status="used")
    assert destinations.get_destination_by_address(network="tron", address=f"T-{kind}") == used
    with pytest.raises(UniqueConflict):
        destinations.create_destination(
            purchase_request_id=request.id,
            address=f"T-{kind}",
            network="tron",
            derivation_path="m/1",
            seller=SellerRef(kind, value),
        )
    assert_stores_follow_mode("derived_destination", destinations.mode, [used])
