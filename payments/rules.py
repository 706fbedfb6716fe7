"""What may change on a payment, checked on the stored payment inside the store's update (under its row lock in
Postgres, compare-and-swap in Mongo), so two concurrent changes cannot both pass a check made on a stale copy.

The status follows the escrow's life: funds are seen (confirming), confirmed, then released to the seller or
refunded to the buyer; a payment that never arrives fails. Released, refunded and failed are final: money that
has moved is never "pending" again. A transaction hash, once recorded, is the payment's: it is never rewritten.
"""

from cutover.store.validation import StateMachine, TransitionRefused

from .records import PaymentRecord

PAYMENT_STATES = StateMachine(
    "payment",
    {
        "pending": frozenset({"confirming", "confirmed", "failed"}),
        "confirming": frozenset({"confirmed", "failed"}),
        "confirmed": frozenset({"released", "refunded"}),
        "released": frozenset(),
        "refunded": frozenset(),
        "failed": frozenset(),
    },
)


def check_payment_change(payment: PaymentRecord, *, status: str | None, tx_hash: str | None) -> None:
    """Refuses (TransitionRefused) a status the machine does not allow next, or a second transaction hash."""
    if status is not None:
        PAYMENT_STATES.check(payment.status, status)
    if tx_hash is not None and payment.tx_hash not in (None, tx_hash):
        raise TransitionRefused(f"payment {payment.id} already has tx_hash {payment.tx_hash!r}; it is never rewritten")
