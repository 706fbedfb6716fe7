"""Demo payments and derived destinations for seed_demo."""

from random import Random

from .records import SellerRef
from .services import destination_create, payment_create, payment_update


def seed_demo_payments(*, size: int, rng: Random, context: dict) -> int:
    payments = []
    for request in context["purchase_requests"][:size]:
        payment = payment_create(
            purchase_request_id=request.id,
            buyer_id=request.buyer_id,
            seller_id=request.seller_id,
            amount=request.amount,
            currency="USDT",
            network="tron",
        )
        if rng.random() < 0.7:
            payment = payment_update(
                payment_id=payment.id, status="confirmed", confirmations=20, tx_hash=f"0x{rng.randrange(16**64):064x}"
            )
        payments.append(payment)
    context["payments"] = payments
    return len(payments)


def seed_demo_destinations(*, size: int, rng: Random, context: dict) -> int:
    requests = context["purchase_requests"][:size]
    for index, request in enumerate(requests):
        shape = index % 3
        seller = (
            SellerRef("user", request.seller_id),
            SellerRef("offer", request.seller_offer_id),
            SellerRef("external", f"ext:binance:{rng.randint(10000, 99999)}"),
        )[shape]
        destination_create(
            purchase_request_id=request.id,
            address=f"T{rng.randrange(16**33):033x}",
            network="tron",
            derivation_path=f"m/44'/195'/0'/0/{index}",
            seller=seller,
        )
    return len(requests)
