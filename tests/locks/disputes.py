from disputes.records import DisputeRecord
from disputes.services import dispute_open
from tests.factories import a_purchase_request


def a_dispute() -> DisputeRecord:
    """An open dispute over a new purchase request, written through the live mode."""
    request = a_purchase_request()
    return dispute_open(
        purchase_request_id=request.id,
        opened_by_id=request.buyer_id,
        against_user_id=request.seller_id,
        reason="not_received",
    )
