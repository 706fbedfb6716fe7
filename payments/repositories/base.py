"""The ports of the payment and derived_destination domains."""

from decimal import Decimal

from cutover.store.backends.errors import UniqueConflict
from cutover.store.legacy import new_id, now_ms
from cutover.store.ports import StoreRepository, revised

from .. import rules
from ..records import DestinationRecord, PaymentRecord, SellerRef
from . import mapping


class PaymentRepository(StoreRepository):
    MAPS = mapping.PAYMENT_MAPS
    WRITE_METHODS = frozenset({"create_payment", "update_payment"})
    READ_METHODS = frozenset({"get_payment", "get_payment_by_tx_hash", "list_payments_for_request"})

    def create_payment(
        self,
        *,
        purchase_request_id: str,
        buyer_id: str,
        seller_id: str,
        amount: Decimal,
        currency: str,
        network: str,
        destination_id: str | None = None,
    ) -> PaymentRecord:
        at = now_ms()
        payment = PaymentRecord(
            id=new_id(),
            purchase_request_id=purchase_request_id,
            buyer_id=buyer_id,
            seller_id=seller_id,
            amount=amount,
            currency=currency,
            network=network,
            status="pending",
            tx_hash=None,
            confirmations=0,
            destination_id=destination_id,
            created_at=at,
            updated_at=at,
        )
        self._insert(payment)
        return payment

    def update_payment(
        self,
        payment_id: str,
        *,
        status: str | None = None,
        confirmations: int | None = None,
        tx_hash: str | None = None,
    ) -> PaymentRecord:
        if tx_hash is not None:
            holder = self.get_payment_by_tx_hash(tx_hash)
            if holder is not None and holder.id != payment_id:
                raise UniqueConflict(f"payments: txHash {tx_hash!r} belongs to payment {holder.id}")
        changes = {
            name: value
            for name, value in (("status", status), ("confirmations", confirmations), ("tx_hash", tx_hash))
            if value is not None
        }

        def change(payment: PaymentRecord) -> PaymentRecord:
            rules.check_payment_change(payment, status=status, tx_hash=tx_hash)
            return revised(payment, **changes)

        return self._update(PaymentRecord, payment_id, change)

    def get_payment(self, payment_id: str) -> PaymentRecord | None:
        return self._get(PaymentRecord, payment_id)

    def get_payment_by_tx_hash(self, tx_hash: str) -> PaymentRecord | None:
        return self._find_one(PaymentRecord, {"tx_hash": tx_hash})

    def list_payments_for_request(self, purchase_request_id: str) -> list[PaymentRecord]:
        return self._find(PaymentRecord, {"purchase_request_id": purchase_request_id}, order=("id",))


class DestinationRepository(StoreRepository):
    MAPS = mapping.DESTINATION_MAPS
    WRITE_METHODS = frozenset({"create_destination", "set_destination_status"})
    READ_METHODS = frozenset({"get_destination", "get_destination_by_address", "list_destinations_for_request"})

    def create_destination(
        self,
        *,
        purchase_request_id: str,
        address: str,
        network: str,
        derivation_path: str,
        seller: SellerRef,
        trezor_account_id: str | None = None,
    ) -> DestinationRecord:
        if self.get_destination_by_address(network=network, address=address) is not None:
            raise UniqueConflict(f"deriveddestinations: {network} address {address!r} is taken")
        at = now_ms()
        destination = DestinationRecord(
            id=new_id(),
            purchase_request_id=purchase_request_id,
            address=address,
            network=network,
            derivation_path=derivation_path,
            trezor_account_id=trezor_account_id,
            status="active",
            seller_ref_kind=seller.kind,
            seller_user_id=seller.value if seller.kind == "user" else None,
            seller_offer_id=seller.value if seller.kind == "offer" else None,
            seller_external_ref=seller.value if seller.kind == "external" else None,
            created_at=at,
            updated_at=at,
        )
        self._insert(destination)
        return destination

    def set_destination_status(self, destination_id: str, *, status: str) -> DestinationRecord:
        return self._revise(DestinationRecord, destination_id, status=status)

    def get_destination(self, destination_id: str) -> DestinationRecord | None:
        return self._get(DestinationRecord, destination_id)

    def get_destination_by_address(self, *, network: str, address: str) -> DestinationRecord | None:
        return self._find_one(DestinationRecord, {"network": network, "address": address})

    def list_destinations_for_request(self, purchase_request_id: str) -> list[DestinationRecord]:
        return self._find(DestinationRecord, {"purchase_request_id": purchase_request_id}, order=("id",))
