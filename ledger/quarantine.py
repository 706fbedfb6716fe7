"""Which ledger entries a balance leaves out: those held as unresolved backfill rejects.

A rejected legacy entry (its payment deleted, an amount finer than the columns, a document that differs
from its row) is in Mongo and not (or not as it is) in Postgres. If Mongo-led modes counted it and
Postgres-led ones did not, the same user would have two balances (105 and 5), and a payout decided on one
would be written, and mirrored, with the other's balanceAfter. So both stores count only the entries the
ledger has accepted: an entry with an open or acknowledged reject counts in neither, until a rerun loads
it (resolved) or an operator's compensating entry carries its money (cutover.backfill.review).
"""

from cutover.models import BackfillReject
from cutover.store.legacy import HEX24

LEDGER_COLLECTION = "fundsledgerentries"


def quarantined_entry_ids() -> tuple[str, ...]:
    """The `_id`s (as text) of ledger documents with an unresolved reject: few, as rejects are exceptions."""
    unresolved = BackfillReject.objects.filter(collection=LEDGER_COLLECTION, status__in=BackfillReject.UNRESOLVED)
    ids = set(unresolved.values_list("record_id", flat=True))
    # A string `_id` in upper case ("64AB…") is the row whose id is its lower-case hex.
    return tuple(sorted(ids | {i.lower() for i in ids if HEX24.match(i)}))
