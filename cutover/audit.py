"""The audited operator decision: one mechanism for every action a person takes on the cutover.

A store mode change (and a shadow-read percent change), a backfill reject acknowledgement and a
requeue of dead mirror writes each need the same three things: a permission, a reason worth keeping (at
least CUTOVER_MIN_REASON_LENGTH characters: "x" tells whoever reads the audit later nothing), and who
and when, recorded with the change. Each service asks `audited_decision` before it changes anything
and writes the decision's who, why and when into its own audit row (StoreModeChange, the reject's
acknowledgement, OutboxRequeue). A refusal is raised as the caller's own exception, which admin and the
commands already catch, and names the missing permission or the reason's length.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class AuditedDecision:
    user: Any
    user_name: str  # kept in the audit row: the user may be deleted later
    reason: str  # stripped
    at: datetime


def audited_decision(
    *, user, permissions: Iterable[str], reason: str | None, what: str, refused: type[Exception]
) -> AuditedDecision:
    """Who decides `what` and why, once `user` holds every permission and gives a long enough reason;
    otherwise `refused` (the caller's exception) saying which is missing."""
    name = user.get_username() if user is not None else "nobody"
    for permission in permissions:
        if user is None or not user.has_perm(permission):
            raise refused(f"{name} lacks the permission {permission}, which {what} needs")
    reason = (reason or "").strip()
    minimum = min_reason_length()
    if len(reason) < minimum:
        raise refused(
            f"{what} needs a reason of at least {minimum} characters, kept in the audit (why, and why it is "
            f"safe); got {len(reason)}"
        )
    return AuditedDecision(user=user, user_name=name, reason=reason, at=timezone.now())


def min_reason_length() -> int:
    """CUTOVER_MIN_REASON_LENGTH (default 10); never below 1, whatever it is set to."""
    return max(1, int(settings.CUTOVER_MIN_REASON_LENGTH))


def reason_refusal(reason: str | None) -> str | None:
    """For forms: why `reason` is too short, or None."""
    length = len((reason or "").strip())
    minimum = min_reason_length()
    return f"Give a reason of at least {minimum} characters (got {length})." if length < minimum else None
