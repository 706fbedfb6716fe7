"""The one place payment and destination field names are translated (docs/legacy-collections.md:
payments, deriveddestinations, including the three legacy seller shapes)."""

from decimal import Decimal

from bson import ObjectId

from cutover.store.extra_kinds import COUNT
from cutover.store.legacy import HEX24, LegacyValueError, object_id_hex, to_object_id
from cutover.store.recordmap import DATETIME, OBJECT_ID, TEXT, Composite, Field, RecordMap, enum, money

from ..records import (
    CURRENCIES,
    DESTINATION_STATUSES,
    NETWORKS,
    PAYMENT_STATUSES,
    DestinationRecord,
    PaymentRecord,
)

PAYMENT = RecordMap(
    PaymentRecord,
    collection="payments",
    model="payments.Payment",
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("purchase_request_id", "purchaseRequestId", OBJECT_ID),
        Field("buyer_id", "buyerId", OBJECT_ID),
        Field("seller_id", "sellerId", OBJECT_ID),
        Field("amount", "amount", money(minimum=Decimal("1e-18"))),
        Field("currency", "currency", enum(CURRENCIES)),
        Field("network", "network", enum(NETWORKS)),
        Field("status", "status", enum(PAYMENT_STATUSES)),
        Field("tx_hash", "txHash", TEXT, optional=True),
        Field("confirmations", "confirmations", COUNT, default=0),
        Field("destination_id", "destinationId", OBJECT_ID, optional=True),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
)


def _read_seller(doc: dict) -> dict:
    """sellerId ObjectId -> user; sellerId null/missing + sellerOfferId -> offer; other string -> external."""
    seller, offer = doc.get("sellerId"), doc.get("sellerOfferId")
    empty = {"seller_user_id": None, "seller_offer_id": None, "seller_external_ref": None}
    if isinstance(seller, ObjectId) or (seller.__class__ is str and HEX24.fullmatch(seller)):
        return empty | {"seller_ref_kind": "user", "seller_user_id": object_id_hex(seller, "sellerId")}
    if seller is None and offer is not None:
        return empty | {"seller_ref_kind": "offer", "seller_offer_id": object_id_hex(offer, "sellerOfferId")}
    if seller.__class__ is str and seller.strip():
        if seller != seller.strip():  # stripping would lose the legacy value, keeping it an id nothing finds
            raise LegacyValueError("sellerId", "an external reference without surrounding whitespace", seller)
        return empty | {"seller_ref_kind": "external", "seller_external_ref": seller}
    raise LegacyValueError("sellerId", "a user ObjectId, an external reference, or sellerOfferId", seller)


def _write_seller(record: DestinationRecord) -> dict:
    """Back to the legacy shape the record's kind came from."""
    if record.seller_ref_kind == "user":
        return {"sellerId": to_object_id(record.seller_user_id)}
    if record.seller_ref_kind == "offer":
        return {"sellerId": None, "sellerOfferId": to_object_id(record.seller_offer_id)}
    return {"sellerId": record.seller_external_ref}


SELLER = Composite(
    names=("seller_ref_kind", "seller_user_id", "seller_offer_id", "seller_external_ref"),
    keys=("sellerId", "sellerOfferId"),
    read=_read_seller,
    write=_write_seller,
)

DESTINATION = RecordMap(
    DestinationRecord,
    collection="deriveddestinations",
    model="payments.DerivedDestination",
    composites=(SELLER,),
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("purchase_request_id", "purchaseRequestId", OBJECT_ID),
        Field("address", "address", TEXT),
        Field("network", "network", enum(NETWORKS)),
        Field("derivation_path", "derivationPath", TEXT),
        Field("trezor_account_id", "trezorAccountId", OBJECT_ID, optional=True),
        Field("status", "status", enum(DESTINATION_STATUSES), default="active"),
        Field("created_at", "createdAt", DATETIME),
        Field("updated_at", "updatedAt", DATETIME, optional=True),
    ),
)

PAYMENT_MAPS = (PAYMENT,)
DESTINATION_MAPS = (DESTINATION,)
