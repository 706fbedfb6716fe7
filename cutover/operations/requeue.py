"""Dead mirror writes back to pending, audited.

An outbox entry goes dead after CUTOVER_OUTBOX_MAX_ATTEMPTS failed mirrors (about 70 minutes of Mongo
outage at the defaults); nothing retries it after that, and a switch of primary is refused while one is
dead. Once the cause is fixed (the store is back, a bad document corrected), a person with
`cutover.requeue_dead_letters` puts the entries back to pending with a reason (an audited decision,
cutover.audit): attempts start again from
zero and they are due at once, so the next repair (the scheduled task, `repair_mirror`, a relay) mirrors
them. Requeueing is safe to repeat: a mirror copies the record's current state, read under its copy lock.
The command `requeue_dead_letters` and the outbox admin's action both call `outbox_requeue_dead`.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from cutover.audit import audited_decision
from cutover.models import MirrorOutboxEntry, OutboxRequeue

REQUEUE_PERMISSION = "cutover.requeue_dead_letters"
Status = MirrorOutboxEntry.Status


class RequeueRefused(Exception):
    """The requeue was not allowed as asked; the message says why."""


def outbox_requeue_dead(
    *, user, reason: str, domain: str | None = None, entry_ids: Iterable[int] | None = None
) -> OutboxRequeue:
    """Put the dead entries (of `domain`, or among `entry_ids`) back to pending; record who, when, why."""
    decision = audited_decision(
        user=user,
        permissions=[REQUEUE_PERMISSION],
        reason=reason,
        what="requeueing dead mirror writes (say why their cause is fixed)",
        refused=RequeueRefused,
    )
    with transaction.atomic():
        dead = MirrorOutboxEntry.objects.select_for_update().filter(status=Status.DEAD)
        if domain:
            dead = dead.filter(domain=domain)
        if entry_ids is not None:
            dead = dead.filter(pk__in=list(entry_ids))
        ids = sorted(dead.values_list("pk", flat=True))
        now = timezone.now()
        MirrorOutboxEntry.objects.filter(pk__in=ids, status=Status.DEAD).update(
            status=Status.PENDING, attempts=0, next_attempt_at=now, updated_at=now
        )
        return OutboxRequeue.objects.create(
            requested_by=decision.user,
            requested_by_name=decision.user_name,
            reason=decision.reason,
            domain=domain or "",
            count=len(ids),
            entry_ids=ids,
        )


def dead_letter_counts() -> dict[str, int]:
    """Dead outbox entries per domain (domains with none are left out)."""
    rows = MirrorOutboxEntry.objects.filter(status=Status.DEAD).values("domain").annotate(n=Count("id"))
    return {row["domain"]: row["n"] for row in rows.order_by("domain")}
