"""The one place marketplace field names are translated (docs/legacy-collections.md: categories,
selleroffers, purchaserequests, requesttemplates)."""

from decimal import Decimal

from cutover.store.legacy import LegacyValueError
from cutover.store.recordmap import BOOL, DATETIME, INT, OBJECT_ID, TEXT, Field, Kind, RecordMap, enum, money

from ..records import (
    OFFER_STATUSES,
    REQUEST_STATUSES,
    CategoryRecord,
    PurchaseRequestRecord,
    RequestTemplateRecord,
    SellerOfferRecord,
)

PRICE = money(minimum=Decimal(0))
CURRENCY = Kind(
    "currency",
    lambda value, name: _currency(value, name),
    table=(("string", "ASCII letters in either case, nothing around them, upper-cased"),),
)


def _currency(value, name: str) -> str:
    if value.__class__ is not str or not (value.isascii() and value.isalpha()):
        raise LegacyValueError(name, "a currency code (letters, nothing around them)", value)
    return value.upper()


TEMPLATE_TABLE = (("array", "of documents each with a key, kept as they are"),)


def _template_fields(value, name: str) -> list:
    if not isinstance(value, list) or not all(isinstance(item, dict) and "key" in item for item in value):
        raise LegacyValueError(name, "an array of {key, label, type, required}", value)
    return value


CATEGORY = RecordMap(
    CategoryRecord,
    collection="categories",
    model="marketplace.Category",
    version_field=None,
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("name", "name", TEXT),
        Field("slug", "slug", TEXT),
        Field("parent_id", "parentId", OBJECT_ID, optional=True),
        Field("is_active", "isActive", BOOL, default=True),
        Field("sort_order", "sortOrder", INT, default=0),
    ),
)

SELLER_OFFER = RecordMap(
    SellerOfferRecord,
    collection="selleroffers",
    model="marketplace.SellerOffer",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("seller_id", "sellerId", OBJECT_ID),
        Field("category_id", "categoryId", OBJECT_ID),
        Field("title", "title", TEXT),
        Field("description", "description", TEXT, default=""),
        Field("price", "price", PRICE),
        Field("currency", "currency", CURRENCY),
        Field("status", "status", enum(OFFER_STATUSES), default="active"),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
)

PURCHASE_REQUEST = RecordMap(
    PurchaseRequestRecord,
    collection="purchaserequests",
    model="marketplace.PurchaseRequest",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("buyer_id", "buyerId", OBJECT_ID),
        Field("seller_id", "sellerId", OBJECT_ID, optional=True),
        Field("seller_offer_id", "sellerOfferId", OBJECT_ID, optional=True),
        Field("category_id", "categoryId", OBJECT_ID),
        Field("title", "title", TEXT),
        Field("description", "description", TEXT, default=""),
        Field("amount", "amount", PRICE),
        Field("currency", "currency", CURRENCY),
        Field("status", "status", enum(REQUEST_STATUSES)),
        Field("accepted_at", "acceptedAt", DATETIME, optional=True),
        Field("completed_at", "completedAt", DATETIME, optional=True),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
)

REQUEST_TEMPLATE = RecordMap(
    RequestTemplateRecord,
    collection="requesttemplates",
    model="marketplace.RequestTemplate",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("owner_id", "ownerId", OBJECT_ID),
        Field("category_id", "categoryId", OBJECT_ID),
        Field("title", "title", TEXT),
        Field("fields", "fields", Kind("template_fields", _template_fields, table=TEMPLATE_TABLE), default=[]),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
)

MAPS = (CATEGORY, SELLER_OFFER, PURCHASE_REQUEST, REQUEST_TEMPLATE)
