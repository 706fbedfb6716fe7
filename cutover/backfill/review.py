"""Reviewing backfill rejects: list them, and acknowledge the ones that may stay out of Postgres.

An open reject blocks the move to a Postgres-primary mode (cutover.operations.preconditions): the document
would be missing from the new authoritative store. It is cleared by fixing the document and
rerunning the backfill (resolved), or by a user with the permission saying why it may stay out
(acknowledged: who, when and why are kept, an audited decision: cutover.audit). Admin and the
`backfill_rejects` command both call this module, so both check and record the same things.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Concat

from cutover.audit import AuditedDecision, audited_decision
from cutover.backfill.money_rejects import compensate, money_effect
from cutover.models import BackfillReject

ACKNOWLEDGE_PERMISSION = "cutover.acknowledge_backfillreject"


class RejectAcknowledgementRefused(Exception):
    """str() says what was refused and why."""


def backfill_reject_acknowledge(
    *, reject_ids: Iterable[int], user, reason: str, domain: str | None = None, money: str | None = None
) -> list[BackfillReject]:
    """Acknowledge open rejects (of `domain`, when given), all or none: each stays out of Postgres on purpose.

    A reject that carries money (cutover.backfill.money_rejects) needs `money`: "compensate" (a compensating
    entry carries its money into the ledger) or "drop" (the money stays out once a second user confirms;
    the first user's request leaves the reject open). Without it, the refusal shows each balance effect."""
    ids = sorted(set(reject_ids))
    decision = _check_acknowledger(user, reason, ids)
    if money not in MONEY_DECISIONS:
        raise RejectAcknowledgementRefused(
            f"money must be one of {', '.join(map(str, MONEY_DECISIONS))}, got {money!r}"
        )
    with transaction.atomic():
        rejects = list(BackfillReject.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        _check_acknowledgeable(ids, rejects, domain)
        effects = {reject.pk: effect for reject in rejects if (effect := money_effect(reject)) is not None}
        _check_money_decision(rejects, effects, money, user)
        now = decision.at
        for reject in rejects:
            effect = effects.get(reject.pk)
            if effect is not None and not _settle_money(reject, effect, money, user, reason, now):
                continue  # a first request to drop money: open until another user confirms
            reject.status = BackfillReject.Status.ACKNOWLEDGED
            reject.acknowledged_by, reject.acknowledged_by_name = decision.user, decision.user_name
            reject.acknowledged_at, reject.acknowledgement_reason = decision.at, decision.reason
            reject.save(update_fields=[*_ACKNOWLEDGEMENT_FIELDS, *_MONEY_FIELDS])
    return rejects


MONEY_DECISIONS = (None, "compensate", "drop")
_ACKNOWLEDGEMENT_FIELDS = (
    "status",
    "acknowledged_by",
    "acknowledged_by_name",
    "acknowledged_at",
    "acknowledgement_reason",
)
_MONEY_FIELDS = (
    "money_effect",
    "compensating_entry_id",
    "money_drop_requested_by_name",
    "money_drop_requested_at",
    "money_drop_request_reason",
)


def _check_money_decision(rejects: list[BackfillReject], effects: dict, money: str | None, user) -> None:
    if not effects:
        return
    carrying = [reject for reject in rejects if reject.pk in effects]
    if money is None:
        listed = "; ".join(f"#{r.pk} {r.collection}/{r.record_id}: {effects[r.pk]}" for r in carrying)
        raise RejectAcknowledgementRefused(
            f"{listed}. A reject that carries money needs a decision: compensate (a compensating entry carries "
            "the money into the ledger) or drop (the money stays out; a second user must confirm)"
        )
    if money == "compensate":
        unreadable = [r for r in carrying if effects[r.pk].signed_amount is None or effects[r.pk].user_id is None]
        if unreadable:
            listed = ", ".join(f"#{r.pk}" for r in unreadable)
            raise RejectAcknowledgementRefused(
                f"{listed}: the amount or user does not read, so no entry can compensate it exactly; fix the "
                "document and rerun the backfill, or drop the money (a second user must confirm)"
            )
    if money == "drop":
        own = [r for r in carrying if r.money_drop_requested_by_name == user.get_username()]
        if own:
            listed = ", ".join(f"#{r.pk}" for r in own)
            raise RejectAcknowledgementRefused(
                f"{listed}: {user.get_username()} asked to drop this money already; another user must confirm"
            )


def _settle_money(reject: BackfillReject, effect, money: str, user, reason: str, now) -> bool:
    """Record the money decision on `reject`; True when it may be acknowledged now."""
    reject.money_effect = str(effect)
    if money == "compensate":
        reject.compensating_entry_id = compensate(reject, effect)
        return True
    if reject.money_drop_requested_by_name:
        return True  # a second user confirms another's request (refused above for the same user)
    reject.money_drop_requested_by_name, reject.money_drop_requested_at = user.get_username(), now
    reject.money_drop_request_reason = reason.strip()
    reject.save(update_fields=list(_MONEY_FIELDS))
    return False


def _check_acknowledger(user, reason: str, ids: list[int]) -> AuditedDecision:
    if not ids:
        raise RejectAcknowledgementRefused("name at least one reject to acknowledge")
    return audited_decision(
        user=user,
        permissions=[ACKNOWLEDGE_PERMISSION],
        reason=reason,
        what="acknowledging a reject (why may it stay out of Postgres?)",
        refused=RejectAcknowledgementRefused,
    )


def _check_acknowledgeable(ids: list[int], rejects: list[BackfillReject], domain: str | None) -> None:
    unknown = sorted(set(ids) - {reject.pk for reject in rejects})
    if unknown:
        raise RejectAcknowledgementRefused(f"no backfill reject with id {', '.join(map(str, unknown))}")
    elsewhere = [reject for reject in rejects if domain and reject.domain != domain]
    if elsewhere:
        listed = ", ".join(f"#{r.pk} is a reject of {r.domain}" for r in elsewhere)
        raise RejectAcknowledgementRefused(f"{listed}, not of {domain}")
    deleted_entries = [reject for reject in rejects if reject.kind == "deleted_entry"]
    if deleted_entries:  # an append-only entry: acknowledging would leave the stores apart for good
        listed = ", ".join(f"#{r.pk}" for r in deleted_entries)
        raise RejectAcknowledgementRefused(
            f"{listed}: an entry whose document was deleted is resolved with `manage.py resolve_deleted_entry ID "
            f"--compensate` or `--stands`, not acknowledged"
        )
    not_open = [reject for reject in rejects if reject.status != BackfillReject.Status.OPEN]
    if not_open:
        listed = ", ".join(f"#{r.pk} ({r.collection}/{r.record_id}) is {r.status}" for r in not_open)
        raise RejectAcknowledgementRefused(f"only open rejects can be acknowledged: {listed}")


def backfill_rejects(
    *, domain: str | None = None, status: str | None = BackfillReject.Status.OPEN, root_causes_only: bool = False
) -> QuerySet[BackfillReject]:
    """Rejects, newest first; root causes are those not waiting on a rejected parent."""
    rejects = BackfillReject.objects.all()
    if domain:
        rejects = rejects.filter(domain=domain)
    if status:
        rejects = rejects.filter(status=status)
    if root_causes_only:
        rejects = root_causes(rejects)
    return rejects


def root_causes(rejects: QuerySet[BackfillReject]) -> QuerySet[BackfillReject]:
    """Rejects not waiting on an open reject of a parent: fixing these (or deciding about them) is what
    unblocks the rest. An orphan whose parent was acknowledged or resolved needs its own look (or a rerun)."""
    return rejects.exclude(blocked_by__in=_open_reject_keys())


def waiting_on_a_rejected_parent(rejects: QuerySet[BackfillReject]) -> QuerySet[BackfillReject]:
    return rejects.filter(blocked_by__in=_open_reject_keys())


def _open_reject_keys() -> QuerySet:
    """ "collection/record_id" of every open reject, as a subquery (the form blocked_by names a parent in)."""
    return (
        BackfillReject.objects.filter(status=BackfillReject.Status.OPEN)
        .annotate(key=Concat("collection", Value("/"), "record_id", output_field=CharField()))
        .values("key")
    )
