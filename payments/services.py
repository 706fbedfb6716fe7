"""Payment and destination writes, through whichever store(s) each domain's mode selects."""

from decimal import Decimal

from cutover.factory import repository_for
from cutover.store.validation import require_one_of

from .records import CURRENCIES, NETWORKS, PAYMENT_STATUSES, SELLER_REF_KINDS, PaymentRecord, SellerRef

PAYMENT, DESTINATION = "payment", "derived_destination"


class InvalidPaymentInput(ValueError):
    pass


def _require(value: str, allowed: frozenset[str], name: str) -> str:
    return require_one_of(value, allowed, name, error=InvalidPaymentInput)


def payment_create(
    *,
    purchase_request_id: str,
    buyer_id: str,
    seller_id: str,
    amount: Decimal,
    currency: str,
    network: str,
    destination_id: str | None = None,
) -> PaymentRecord:
    if Decimal(amount) <= 0:
        raise InvalidPaymentInput(f"a payment amount must be positive, got {amount}")
    return repository_for(PAYMENT).create_payment(
        purchase_request_id=purchase_request_id,
        buyer_id=buyer_id,
        seller_id=seller_id,
        amount=Decimal(amount),
        currency=_require(currency, CURRENCIES, "currency"),
        network=_require(network, NETWORKS, "network"),
        destination_id=destination_id,
    )


def payment_update(
    *, payment_id: str, status: str | None = None, confirmations: int | None = None, tx_hash: str | None = None
) -> PaymentRecord:
    if status is not None:
        _require(status, PAYMENT_STATUSES, "status")
    return repository_for(PAYMENT).update_payment(
        payment_id, status=status, confirmations=confirmations, tx_hash=tx_hash
    )


def destination_create(
    *,
    purchase_request_id: str,
    address: str,
    network: str,
    derivation_path: str,
    seller: SellerRef,
    trezor_account_id: str | None = None,
):
    _require(seller.kind, SELLER_REF_KINDS, "seller kind")
    return repository_for(DESTINATION).create_destination(
        purchase_request_id=purchase_request_id,
        address=address.strip(),
        network=_require(network, NETWORKS, "network"),
        derivation_path=derivation_path,
        seller=seller,
        trezor_account_id=trezor_account_id,
    )
