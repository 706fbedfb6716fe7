"""Rejects that carry money: what acknowledging one does to a balance, and the two ways it may be accepted.

A rejected ledger entry counts in no balance (its domain leaves it out in every store, so every mode gives
the same balance). Acknowledging it would make that permanent without anyone having seen the money, so
acknowledging a reject whose domain says it carries money (DomainSpec.reject_money_effect) is refused
unless the operator picks one of:
- compensate: a compensating entry, written through the domain's own service in whichever store(s) its
  mode writes (DomainSpec.compensate_reject), carries the money into the ledger; the reject is then
  acknowledged with that entry's id. A retry finds the entry by its reference instead of writing another.
- drop: the money stays out; a second user with the permission must confirm. The first request is kept
  (who, when, why) and the reject stays open until another user confirms it.
Both record the effect as it was shown, on the reject, beside the acknowledgement.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.module_loading import import_string

from cutover.modes.registry import domain_spec
from cutover.store.legacy import plain_decimal


@dataclass(frozen=True)
class MoneyEffect:
    """What a rejected document would do to one balance, as its domain reads the document."""

    user_id: str | None
    currency: str | None
    signed_amount: Decimal | None  # None: the amount does not read, so no entry can compensate it exactly
    balance_now: Decimal | None  # the balance every store counts now, without the document

    def __str__(self) -> str:
        if self.signed_amount is None:
            return f"money of unreadable amount for user {self.user_id} ({self.currency}); counted in no balance"
        direction, amount = ("credit" if self.signed_amount > 0 else "debit"), plain_decimal(abs(self.signed_amount))
        text = f"{direction} of {amount} {self.currency} for user {self.user_id}, counted in no balance"
        if self.balance_now is None:
            return text
        now, then = plain_decimal(self.balance_now), plain_decimal(self.balance_now + self.signed_amount)
        return f"{text} (balance now {now}; {then} with it)"


def money_effect(reject) -> MoneyEffect | None:
    """The balance effect of a reject's document, or None when its domain says it carries no money."""
    path = domain_spec(reject.domain).reject_money_effect
    return import_string(path)(reject.collection, reject.document) if path else None


def compensate(reject, effect: MoneyEffect) -> str:
    """Write the entry that carries `effect`'s money into the domain's ledger; its id."""
    return import_string(domain_spec(reject.domain).compensate_reject)(effect, reference=compensation_reference(reject))


def compensation_reference(reject) -> str:
    return f"backfill-reject:{reject.pk}"
