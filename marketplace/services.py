"""Marketplace writes, through whichever store(s) the domain's mode selects."""

from decimal import Decimal, InvalidOperation

from cutover.factory import repository_for

from .records import OFFER_STATUSES, REQUEST_STATUSES, PurchaseRequestRecord, SellerOfferRecord

DOMAIN = "marketplace"


class InvalidMarketplaceInput(ValueError):
    pass


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidMarketplaceInput(f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidMarketplaceInput(f"an amount must be a finite number >= 0, got {value!r}")
    return amount


def category_create(*, name: str, slug: str, parent_id: str | None = None, sort_order: int = 0):
    return repository_for(DOMAIN).create_category(name=name, slug=slug, parent_id=parent_id, sort_order=sort_order)


def offer_create(
    *, seller_id: str, category_id: str, title: str, price, currency: str, description: str = ""
) -> SellerOfferRecord:
    return repository_for(DOMAIN).create_offer(
        seller_id=seller_id,
        category_id=category_id,
        title=title,
        price=_amount(price),
        currency=currency.upper(),
        description=description,
    )


def offer_set_status(*, offer_id: str, status: str) -> SellerOfferRecord:
    if status not in OFFER_STATUSES:
        raise InvalidMarketplaceInput(f"status must be one of {sorted(OFFER_STATUSES)}, got {status!r}")
    return repository_for(DOMAIN).set_offer_status(offer_id, status=status)


def purchase_request_create(
    *,
    buyer_id: str,
    category_id: str,
    title: str,
    amount,
    currency: str,
    description: str = "",
    seller_offer_id: str | None = None,
) -> PurchaseRequestRecord:
    return repository_for(DOMAIN).create_purchase_request(
        buyer_id=buyer_id,
        category_id=category_id,
        title=title,
        amount=_amount(amount),
        currency=currency.upper(),
        description=description,
        seller_offer_id=seller_offer_id,
    )


def purchase_request_advance(*, request_id: str, to_status: str, seller_id: str | None = None):
    if to_status not in REQUEST_STATUSES:
        raise InvalidMarketplaceInput(f"status must be one of {sorted(REQUEST_STATUSES)}, got {to_status!r}")
    return repository_for(DOMAIN).advance_purchase_request(request_id, to_status=to_status, seller_id=seller_id)
