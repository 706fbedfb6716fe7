"""What readiness is made of (cutover.operations.readiness): steps, their blockers, checklist items and the
lists they link to. Shared by readiness and its checklist (cutover.operations.readiness_checklist)."""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from cutover.modes.store_mode import StoreMode
from cutover.operations.preconditions import Refusal

PENDING_STALE_AFTER = timedelta(minutes=5)  # a pending mirror write older than this is stuck, not in flight
RECENT_MISMATCHES = timedelta(hours=24)
ITEM_KEYS = ("backfill", "verify", "outbox_pending", "outbox_dead", "rejects", "mismatches", "parents", "purge")
ADVANCE, ROLL_BACK = "advance", "roll back"


class _Fixable:
    fix: str
    commands: tuple[str, ...]

    @property
    def command(self) -> str:
        return self.commands[0] if self.commands else ""

    @property
    def fix_in_words(self) -> str:
        """The fix, unless it only says to run the command(s) given with it (for display beside them)."""
        return "" if self.fix.rstrip(". ") in {f"run {command}" for command in self.commands} else self.fix


@dataclass(frozen=True)
class Blocker(_Fixable):
    domain: str  # whose problem: the domain itself or a parent
    reason: str
    fix: str  # for people, commands included without backticks
    commands: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.reason} Fix: {self.fix}"


@dataclass(frozen=True)
class Step:
    to_mode: StoreMode
    direction: str  # ADVANCE or ROLL_BACK
    blockers: tuple[Blocker, ...]
    command: str  # the store_mode command that takes this step

    @property
    def allowed(self) -> bool:
        return not self.blockers

    @property
    def label(self) -> str:
        return f"{'Advance' if self.direction == ADVANCE else 'Roll back'} to {self.to_mode.value}"


@dataclass(frozen=True)
class ListFilter:
    model: str  # cutover model name, lowercase (e.g. "backfillreject")
    query: dict = field(default_factory=dict)  # admin changelist lookups, e.g. {"domain": "dispute"}


@dataclass(frozen=True)
class Item(_Fixable):
    key: str
    label: str
    ok: bool
    detail: str
    fix: str = ""
    commands: tuple[str, ...] = ()
    list_filter: ListFilter | None = None


def commands_in(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"`([^`]+)`", text))


def plain_text(text: str) -> str:
    return text.replace("`", "")


def item_from_refusal(key: str, label: str, refusal: Refusal, list_filter: ListFilter) -> Item:
    """A failing checklist item that says what a precondition says, in its words and with its commands."""
    return Item(key, label, False, refusal.reason, plain_text(refusal.fix), commands_in(refusal.fix), list_filter)
