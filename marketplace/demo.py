"""Demo categories, offers, purchase requests and templates for seed_demo."""

from decimal import Decimal
from random import Random

from . import services

_CATEGORIES = ["Electronics", "Gift cards", "Game items", "Design work", "Translation"]


def seed_demo_marketplace(*, size: int, rng: Random, context: dict) -> int:
    run = rng.randrange(16**6)
    categories = [
        services.category_create(name=name, slug=f"{name.lower().replace(' ', '-')}-{run:06x}", sort_order=index)
        for index, name in enumerate(_CATEGORIES)
    ]
    users = context["users"]
    offers, requests = [], []
    for index in range(size):
        seller, buyer = rng.sample(users, 2)
        category = rng.choice(categories)
        offer = services.offer_create(
            seller_id=seller,
            category_id=category.id,
            title=f"Offer {index}",
            price=Decimal(rng.randint(5, 2000)) / 4,
            currency="USDT",
        )
        request = services.purchase_request_create(
            buyer_id=buyer,
            category_id=category.id,
            title=f"Wants {index}",
            amount=offer.price,
            currency="USDT",
            seller_offer_id=offer.id,
        )
        request = services.purchase_request_advance(request_id=request.id, to_status="accepted", seller_id=seller)
        offers.append(offer)
        requests.append(request)
    context["purchase_requests"] = requests
    return len(categories) + len(offers) + len(requests)
