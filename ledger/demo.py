"""Demo ledger entries for seed_demo: a deposit and a hold per confirmed payment, some reversed."""

from random import Random

from .services import ledger_append, ledger_reverse


def seed_demo_ledger(*, size: int, rng: Random, context: dict) -> int:
    written = 0
    for payment in context["payments"][:size]:
        deposit = ledger_append(
            user_id=payment.buyer_id,
            entry_type="deposit",
            direction="credit",
            amount=payment.amount,
            currency=payment.currency,
            reference=f"dep:{payment.id}",
            payment_id=payment.id,
        )
        ledger_append(
            user_id=payment.buyer_id,
            entry_type="hold",
            direction="debit",
            amount=payment.amount,
            currency=payment.currency,
            reference=f"hold:{payment.id}",
            payment_id=payment.id,
        )
        written += 2
        if rng.random() < 0.1:
            ledger_reverse(entry_id=deposit.id, reference=f"fix:{deposit.id}")
            written += 1
    return written
