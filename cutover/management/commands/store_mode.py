from argparse import ArgumentTypeError

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from cutover.management.arguments import ProjectCommand, known_domain
from cutover.modes.cache import current_mode_state, invalidate_mode_cache
from cutover.modes.registry import UnknownDomain, domain_names
from cutover.modes.store_mode import MIGRATION_ORDER
from cutover.operations.mode_changes import (
    StoreModeChangeRefused,
    latest_mode_history_id,
    store_mode_change,
    store_mode_set_shadow_percent,
)
from cutover.operations.readiness import Readiness, domain_readiness
from cutover.operations.requeue import dead_letter_counts
from cutover.operations.transition import mode_transition


class Command(ProjectCommand):
    help = (
        "Show every domain's store mode; show one domain's readiness (`store_mode dispute`: its next steps, every "
        "failing precondition with the command that fixes it, and its checklist); move one domain a step "
        "(`store_mode dispute --to dual_mongo_primary --user alice --reason '...'`); or set its shadow-read "
        "percent (`store_mode dispute --shadow-percent 10 --user alice --reason '...'`). The CLI twin of the "
        "admin dashboard and domain page: same services, permissions, preconditions and audit. The list shows a "
        "domain mid-transition (switching: a change holds the write fence; settling: processes may still act on "
        "the old mode) and what it waits for."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "domain", nargs="?", type=known_domain, help="the domain to show or change; omit to list all"
        )
        parser.add_argument("--to", choices=[mode.value for mode in MIGRATION_ORDER], help="the new mode")
        parser.add_argument(
            "--expect-from",
            choices=[mode.value for mode in MIGRATION_ORDER],
            help="refuse unless the domain is in this mode (what the admin confirmation page does)",
        )
        parser.add_argument(
            "--expect-history",
            type=_history_token,
            help="refuse if any mode change was made since the one with this id (`store_mode DOMAIN` shows it "
            "as its history token; 0: none yet), even one that came back to the same mode",
        )
        parser.add_argument("--shadow-percent", type=int, help="set the shadow-read percent (0-100; dual modes)")
        parser.add_argument("--user", help="username of the admin making the change (needs the permission)")
        parser.add_argument("--reason", default="", help="why; kept in the audit history")
        parser.add_argument("--override", action="store_true", help="change despite a failed precondition")

    def handle(self, *args, domain: str | None, user: str | None, **options) -> None:
        if domain is None:
            changes = [f"--{name.replace('_', '-')}" for name in ("to", "reason", "override", "shadow_percent")]
            if user or any(options.get(name) for name in ("to", "reason", "override", "shadow_percent")):
                raise CommandError(f"{', '.join(changes)} and --user change one domain: name it", returncode=2)
            self._list()
            return
        to, percent = options["to"], options["shadow_percent"]
        if to is None and percent is None:
            self._show(domain)
            return
        if to is not None and percent is not None:
            raise CommandError("change the mode or the shadow-read percent, not both at once")
        actor = self._actor(user)
        try:
            if to is not None:
                change = store_mode_change(
                    domain=domain,
                    to_mode=to,
                    user=actor,
                    reason=options["reason"],
                    override=options["override"],
                    expected_from=options["expect_from"],
                    expected_history=options["expect_history"],
                )
            else:
                change = store_mode_set_shadow_percent(
                    domain=domain, percent=percent, user=actor, reason=options["reason"]
                )
        except (StoreModeChangeRefused, UnknownDomain) as refusal:
            raise CommandError(f"refused: {refusal}{_step_blockers(domain, to)}") from None
        flagged = f" (OVERRIDDEN: {change.overridden_refusal})" if change.overridden else ""
        self.stdout.write(f"{domain}: {change.change}{flagged}")

    def _actor(self, user: str | None):
        if not user:
            raise CommandError("a change needs --user USERNAME (and --reason)")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"no user named {user!r}")
        return actor

    def _list(self) -> None:
        invalidate_mode_cache()
        dead = dead_letter_counts()
        for name in domain_names():
            state = current_mode_state(name)
            line = f"{name:24} {state.mode.value:20} shadow reads {state.shadow_read_percent:3}%  "
            if dead.get(name):
                line += f"{dead[name]} dead mirror write(s): `requeue_dead_letters --domain {name}`; "
            self.stdout.write(line + str(mode_transition(name)))

    def _show(self, domain: str) -> None:
        invalidate_mode_cache()
        try:
            readiness = domain_readiness(domain)
        except UnknownDomain as error:
            raise CommandError(str(error)) from None
        for line in readiness_lines(readiness):
            self.stdout.write(line)
        token = latest_mode_history_id(domain)
        self.stdout.write(f"History token: {token} (bind a change to this state: --expect-history {token})")


def _history_token(value: str) -> int:
    if not value.isdigit():
        raise ArgumentTypeError(f"not a mode history id (a whole number, 0 for none): {value!r}")
    return int(value)


def _step_blockers(domain: str, to: str | None) -> str:
    """After a refused step: every failing precondition of it, one per line with its commands, parents expanded
    (the service names them in one sentence)."""
    if to is None or domain not in domain_names():
        return ""
    step = next((step for step in domain_readiness(domain).steps if step.to_mode.value == to), None)
    if step is None or step.allowed:
        return ""
    return "\n" + "\n".join(_blocker_lines(step))


def _blocker_lines(step) -> list[str]:
    lines = [f"{step.label}: {len(step.blockers)} failing precondition(s):"]
    for number, blocker in enumerate(step.blockers, 1):
        lines.append(f"  {number}. [{blocker.domain}] {blocker.reason}")
        lines += [f"       {command}" for command in blocker.commands] or [f"       {blocker.fix}"]
    return lines


def readiness_lines(readiness: Readiness) -> list[str]:
    """The domain, its steps with their blockers, and its checklist; a command is listed once, where it first
    comes (a parent's steps are both a step's blockers and the parents item: followed twice they were
    needless mode changes)."""
    lines = [
        f"{readiness.domain}: {readiness.mode.value} ({readiness.mode.label}), shadow reads "
        f"{readiness.shadow_read_percent}%, {readiness.transition}"
    ]
    listed: set[str] = set()
    for step in readiness.steps:
        if step.allowed:
            lines.append(f"{step.label}: ready: {step.command}")
            continue
        lines += _blocker_lines(step)
        listed.update(command for blocker in step.blockers for command in blocker.commands)
    lines.append("Checklist:")
    for item in readiness.checklist:
        lines.append(f"  {'ok  ' if item.ok else 'FAIL'} {item.label}: {item.detail}")
        if item.ok:
            continue
        fresh = [command for command in item.commands if command not in listed]
        listed.update(fresh)
        if item.commands and not fresh:
            lines.append("       (its commands are listed above)")
        lines += [f"       {command}" for command in fresh] or ([] if item.commands else [f"       {item.fix}"])
    return lines
