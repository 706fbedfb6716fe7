from disputes.records import DisputeDraft
from tests.factories import a_payment


def dispute_draft(**overrides) -> DisputeDraft:
    payment = a_payment()
    fields = {
        "purchase_request_id": payment.purchase_request_id,
        "opened_by_id": payment.buyer_id,
        "against_user_id": payment.seller_id,
        "reason": "not_received",
        "description": "Paid, nothing arrived. Ünïcode ok ✓",
        "priority": "high",
        "payment_id": payment.id,
    } | overrides
    return DisputeDraft(**fields)
