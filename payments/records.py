"""Records of the payment and derived_destination domains."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cutover.store.records import LegacyShape

CURRENCIES = frozenset({"USDT", "USDC", "BTC", "ETH", "TRX"})
NETWORKS = frozenset({"tron", "ethereum", "bitcoin", "polygon"})
PAYMENT_STATUSES = frozenset({"pending", "confirming", "confirmed", "released", "refunded", "failed"})
DESTINATION_STATUSES = frozenset({"active", "used", "retired"})
SELLER_REF_KINDS = frozenset({"user", "offer", "external"})


@dataclass(frozen=True)
class PaymentRecord(LegacyShape):
    id: str
    purchase_request_id: str
    buyer_id: str
    seller_id: str
    amount: Decimal
    currency: str
    network: str
    status: str
    tx_hash: str | None
    confirmations: int
    destination_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SellerRef:
    """Who is paid through a destination: exactly one of the three legacy shapes."""

    kind: str  # "user", "offer" or "external"
    value: str  # a user id, a seller offer id, or an external reference such as "ext:binance:88123"


@dataclass(frozen=True)
class DestinationRecord(LegacyShape):
    id: str
    purchase_request_id: str
    address: str
    network: str
    derivation_path: str
    trezor_account_id: str | None
    status: str
    seller_ref_kind: str
    seller_user_id: str | None
    seller_offer_id: str | None
    seller_external_ref: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def seller(self) -> SellerRef:
        value = {"user": self.seller_user_id, "offer": self.seller_offer_id}.get(self.seller_ref_kind)
        return SellerRef(self.seller_ref_kind, value or self.seller_external_ref)
