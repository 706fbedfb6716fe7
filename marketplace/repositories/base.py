"""The marketplace port: categories, seller offers, purchase requests, request templates."""

from decimal import Decimal

from cutover.store.filters import Filters
from cutover.store.legacy import new_id, now_ms
from cutover.store.ports import StoreRepository

from ..records import (
    CategoryRecord,
    PurchaseRequestRecord,
    RequestTemplateRecord,
    SellerOfferRecord,
)
from ..rules import advanced
from . import mapping


class MarketplaceRepository(StoreRepository):
    MAPS = mapping.MAPS
    WRITE_METHODS = frozenset(
        {
            "create_category",
            "create_offer",
            "set_offer_status",
            "create_purchase_request",
            "advance_purchase_request",
            "create_template",
        }
    )
    READ_METHODS = frozenset(
        {
            "get_category",
            "list_categories",
            "get_offer",
            "list_offers",
            "get_purchase_request",
            "list_purchase_requests",
            "get_template",
        }
    )

    def create_category(
        self, *, name: str, slug: str, parent_id: str | None = None, sort_order: int = 0
    ) -> CategoryRecord:
        self._refuse_taken(
            f"categories: the slug {slug!r}", lambda store: store._find_one(CategoryRecord, {"slug": slug})
        )
        category = CategoryRecord(
            id=new_id(), name=name, slug=slug, parent_id=parent_id, is_active=True, sort_order=sort_order
        )
        self._insert(category)
        return category

    def get_category(self, category_id: str) -> CategoryRecord | None:
        return self._get(CategoryRecord, category_id)

    def list_categories(self, *, parent_id: str | None = None) -> list[CategoryRecord]:
        return self._find(CategoryRecord, {"parent_id": parent_id}, order=("sort_order", "id"))

    def create_offer(
        self, *, seller_id: str, category_id: str, title: str, price: Decimal, currency: str, description: str = ""
    ) -> SellerOfferRecord:
        at = now_ms()
        offer = SellerOfferRecord(
            id=new_id(),
            seller_id=seller_id,
            category_id=category_id,
            title=title,
            description=description,
            price=price,
            currency=currency,
            status="active",
            created_at=at,
            updated_at=at,
        )
        self._insert(offer)
        return offer

    def set_offer_status(self, offer_id: str, *, status: str) -> SellerOfferRecord:
        return self._revise(SellerOfferRecord, offer_id, status=status)

    def get_offer(self, offer_id: str) -> SellerOfferRecord | None:
        return self._get(SellerOfferRecord, offer_id)

    def list_offers(self, *, seller_id: str, status: str | None = None) -> list[SellerOfferRecord]:
        filters: Filters = {"seller_id": seller_id} | ({"status": status} if status else {})
        return self._find(SellerOfferRecord, filters)

    def create_purchase_request(
        self,
        *,
        buyer_id: str,
        category_id: str,
        title: str,
        amount: Decimal,
        currency: str,
        description: str = "",
        seller_offer_id: str | None = None,
        seller_id: str | None = None,
    ) -> PurchaseRequestRecord:
        at = now_ms()
        request = PurchaseRequestRecord(
            id=new_id(),
            buyer_id=buyer_id,
            seller_id=seller_id,
            seller_offer_id=seller_offer_id,
            category_id=category_id,
            title=title,
            description=description,
            amount=amount,
            currency=currency,
            status="open",
            accepted_at=None,
            completed_at=None,
            created_at=at,
            updated_at=at,
        )
        self._insert(request)
        return request

    def advance_purchase_request(
        self, request_id: str, *, to_status: str, seller_id: str | None = None
    ) -> PurchaseRequestRecord:
        """Move a request along its life cycle; accepting names the seller and stamps acceptedAt."""
        return self._update(PurchaseRequestRecord, request_id, lambda request: advanced(request, to_status, seller_id))

    def get_purchase_request(self, request_id: str) -> PurchaseRequestRecord | None:
        return self._get(PurchaseRequestRecord, request_id)

    def list_purchase_requests(
        self, *, buyer_id: str | None = None, seller_id: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[PurchaseRequestRecord]:
        filters: Filters = {
            name: value
            for name, value in (("buyer_id", buyer_id), ("seller_id", seller_id), ("status", status))
            if value
        }
        return self._find(PurchaseRequestRecord, filters, limit=limit)

    def create_template(self, *, owner_id: str, category_id: str, title: str, fields: list) -> RequestTemplateRecord:
        at = now_ms()
        template = RequestTemplateRecord(
            id=new_id(),
            owner_id=owner_id,
            category_id=category_id,
            title=title,
            fields=list(fields),
            created_at=at,
            updated_at=at,
        )
        self._insert(template)
        return template

    def get_template(self, template_id: str) -> RequestTemplateRecord | None:
        return self._get(RequestTemplateRecord, template_id)
