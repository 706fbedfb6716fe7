from cutover.legacy import new_id
from disputes.records import DisputeDraft


def dispute_draft(**overrides) -> DisputeDraft:
    fields = {
        "purchase_request_id": new_id(),
        "opened_by_id": new_id(),
        "against_user_id": new_id(),
        "reason": "not_received",
        "description": "Paid, nothing arrived. Ünïcode ok ✓",
        "priority": "high",
        "payment_id": new_id(),
    } | overrides
    return DisputeDraft(**fields)
