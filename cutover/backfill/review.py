"""Reviewing backfill rejects: list them, and acknowledge the ones that may stay out of Postgres.

An open reject blocks the move to a Postgres-primary mode (cutover.operations.preconditions): the document
would be missing from the new authoritative store. It is cleared by fixing the document and
rerunning the backfill (resolved), or by a user with the permission saying why it may stay out
(acknowledged: who, when and why are kept). Admin and the `backfill_rejects` command both call
this module, so both check and record the same things.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from cutover.models import BackfillReject

ACKNOWLEDGE_PERMISSION = "cutover.acknowledge_backfillreject"


class RejectAcknowledgementRefused(Exception):
    """str() says what was refused and why."""


def backfill_reject_acknowledge(
    *, reject_ids: Iterable[int], user, reason: str, domain: str | None = None
) -> list[BackfillReject]:
    """Acknowledge open rejects (of `domain`, when given), all or none: each stays out of Postgres on purpose."""
    ids = sorted(set(reject_ids))
    _check_acknowledger(user, reason, ids)
    with transaction.atomic():
        rejects = list(BackfillReject.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        _check_acknowledgeable(ids, rejects, domain)
        now = timezone.now()
        for reject in rejects:
            reject.status = BackfillReject.Status.ACKNOWLEDGED
            reject.acknowledged_by, reject.acknowledged_by_name = user, user.get_username()
            reject.acknowledged_at, reject.acknowledgement_reason = now, reason.strip()
            reject.save(
                update_fields=[
                    "status",
                    "acknowledged_by",
                    "acknowledged_by_name",
                    "acknowledged_at",
                    "acknowledgement_reason",
                ]
            )
    return rejects


def _check_acknowledger(user, reason: str, ids: list[int]) -> None:
    if not ids:
        raise RejectAcknowledgementRefused("name at least one reject to acknowledge")
    if not user.has_perm(ACKNOWLEDGE_PERMISSION):
        raise RejectAcknowledgementRefused(f"{user.get_username()} lacks the permission {ACKNOWLEDGE_PERMISSION}")
    if not reason or not reason.strip():
        raise RejectAcknowledgementRefused("acknowledging a reject needs a reason: why may it stay out of Postgres?")


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
