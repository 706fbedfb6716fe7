"""Records of the marketplace domain."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cutover.store.records import LegacyShape

OFFER_STATUSES = frozenset({"active", "paused", "archived"})
REQUEST_STATUSES = frozenset({"open", "accepted", "funded", "delivered", "completed", "cancelled", "disputed"})
# Which status may follow which; `disputed` can come from any live state and go back to it.
REQUEST_TRANSITIONS = {
    "open": {"accepted", "cancelled"},
    "accepted": {"funded", "cancelled", "disputed"},
    "funded": {"delivered", "disputed", "cancelled"},
    "delivered": {"completed", "disputed"},
    "disputed": {"funded", "delivered", "completed", "cancelled"},
    "completed": set(),
    "cancelled": set(),
}


@dataclass(frozen=True)
class CategoryRecord(LegacyShape):
    id: str
    name: str
    slug: str
    parent_id: str | None
    is_active: bool
    sort_order: int


@dataclass(frozen=True)
class SellerOfferRecord(LegacyShape):
    id: str
    seller_id: str
    category_id: str
    title: str
    description: str
    price: Decimal
    currency: str
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PurchaseRequestRecord(LegacyShape):
    id: str
    buyer_id: str
    seller_id: str | None
    seller_offer_id: str | None
    category_id: str
    title: str
    description: str
    amount: Decimal
    currency: str
    status: str
    accepted_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RequestTemplateRecord(LegacyShape):
    id: str
    owner_id: str
    category_id: str
    title: str
    fields: list  # [{key, label, type, required}], kept as the legacy JSON
    created_at: datetime
    updated_at: datetime
