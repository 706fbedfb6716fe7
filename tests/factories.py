"""Parent records for tests, written straight into both stores (as a backfill would), so a
child can be written in any mode and its foreign keys hold in Postgres."""

from datetime import datetime, timedelta
from decimal import Decimal

from accounts.records import UserRecord
from cutover.modes.registry import domain_spec
from cutover.store.legacy import new_id, now_ms
from marketplace.records import CategoryRecord, PurchaseRequestRecord, SellerOfferRecord
from notifications.records import NotificationRecord
from payments.records import PaymentRecord


def held_by_store(domain: str, collection: str, record_id: str) -> dict[str, bool]:
    """Which stores hold the record: {"mongo": bool, "postgres": bool}."""
    return {
        name: store.get_snapshot(collection, record_id) is not None
        for name, store in domain_spec(domain).backends().items()
    }


def a_notification(user_id: str, *, age: timedelta, now: datetime | None = None) -> NotificationRecord:
    """A notification created `age` before `now` (default: this moment), in both stores."""
    return put_everywhere(
        "notification",
        NotificationRecord(
            id=new_id(),
            user_id=user_id,
            type="t",
            title="x",
            body="",
            data={},
            is_read=False,
            read_at=None,
            created_at=(now or now_ms()) - age,
        ),
    )


def put_everywhere(domain: str, record):
    for backend in domain_spec(domain).backends().values():
        backend.put_snapshot(record)
    return record


def a_user(**overrides) -> UserRecord:
    at = now_ms()
    user_id = new_id()
    fields = dict(
        id=user_id,
        email=f"u{user_id}@example.com",
        password_hash="$2b$12$hash",
        role="user",
        display_name="Ülrich",
        telegram_id=None,
        is_verified=True,
        level=1,
        created_at=at,
        updated_at=at,
    )
    return put_everywhere("auth", UserRecord(**(fields | overrides)))


def a_category() -> CategoryRecord:
    category_id = new_id()
    return put_everywhere(
        "marketplace",
        CategoryRecord(
            id=category_id, name="Cards", slug=f"cards-{category_id}", parent_id=None, is_active=True, sort_order=0
        ),
    )


def an_offer(seller: UserRecord | None = None, category: CategoryRecord | None = None) -> SellerOfferRecord:
    at = now_ms()
    return put_everywhere(
        "marketplace",
        SellerOfferRecord(
            id=new_id(),
            seller_id=(seller or a_user()).id,
            category_id=(category or a_category()).id,
            title="Offer",
            description="",
            price=Decimal("10.50"),
            currency="USDT",
            status="active",
            created_at=at,
            updated_at=at,
        ),
    )


def a_purchase_request(buyer: UserRecord | None = None, seller: UserRecord | None = None) -> PurchaseRequestRecord:
    at = now_ms()
    seller = seller or a_user()
    offer = an_offer(seller)
    return put_everywhere(
        "marketplace",
        PurchaseRequestRecord(
            id=new_id(),
            buyer_id=(buyer or a_user()).id,
            seller_id=seller.id,
            seller_offer_id=offer.id,
            category_id=offer.category_id,
            title="Wants",
            description="",
            amount=Decimal("10.50"),
            currency="USDT",
            status="accepted",
            accepted_at=at,
            completed_at=None,
            created_at=at,
            updated_at=at,
        ),
    )


def a_payment(request: PurchaseRequestRecord | None = None) -> PaymentRecord:
    at = now_ms()
    request = request or a_purchase_request()
    return put_everywhere(
        "payment",
        PaymentRecord(
            id=new_id(),
            purchase_request_id=request.id,
            buyer_id=request.buyer_id,
            seller_id=request.seller_id,
            amount=request.amount,
            currency="USDT",
            network="tron",
            status="confirmed",
            tx_hash=None,
            confirmations=3,
            destination_id=None,
            created_at=at,
            updated_at=at,
        ),
    )
