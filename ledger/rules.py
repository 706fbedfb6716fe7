"""The ledger's money rules, in one place: which entries a balance counts, which may not overdraw it, and
that an entry is reversed at most once."""

from cutover.store.backends.errors import UniqueConflict

# Entry types refused when they would leave the balance below zero: money paid out must be there.
# A reversal (an `adjustment`) may still overdraw: it records what happened (a credit taken back after a
# payout) and refusing it would hide that, where a payout can simply wait for the funds.
NEVER_BELOW_ZERO = frozenset({"payout"})


class InsufficientBalance(ValueError):
    """A payout larger than the balance it would draw from."""


class AlreadyReversed(UniqueConflict):
    """The entry has a reversal already (reversing it again would take the money twice), or counts in no
    balance (ledger.quarantine), so a reversal would take money the balance never had."""
