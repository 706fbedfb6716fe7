"""Payment reads, from the store the domain's mode selects."""

from cutover.factory import repository_for

from .records import PaymentRecord


def payment_get(*, payment_id: str) -> PaymentRecord | None:
    return repository_for("payment").get_payment(payment_id)
