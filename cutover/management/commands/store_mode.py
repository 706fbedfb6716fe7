from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from cutover.management.arguments import ProjectCommand, known_domain
from cutover.modes.cache import current_mode_state, invalidate_mode_cache
from cutover.modes.registry import UnknownDomain, domain_names
from cutover.modes.store_mode import MIGRATION_ORDER
from cutover.operations.mode_changes import StoreModeChangeRefused, store_mode_change
from cutover.operations.requeue import dead_letter_counts
from cutover.operations.transition import mode_transition


class Command(ProjectCommand):
    help = (
        "Show every domain's store mode, or move one domain a step: "
        "`store_mode dispute --to dual_mongo_primary --user alice --reason '...'`. "
        "The CLI twin of the admin page: same permission, preconditions and audit. The list shows a domain "
        "mid-transition (switching: a change holds the write fence; settling: processes may still act on the "
        "old mode) and what it waits for."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domain", nargs="?", type=known_domain, help="the domain to change; omit to list all")
        parser.add_argument("--to", choices=[mode.value for mode in MIGRATION_ORDER], help="the new mode")
        parser.add_argument("--user", help="username of the admin making the change (needs the permission)")
        parser.add_argument("--reason", default="", help="why; kept in the audit history")
        parser.add_argument("--override", action="store_true", help="change despite a failed precondition")

    def handle(
        self, *args, domain: str | None, to: str | None, user: str | None, reason: str, override: bool, **options
    ) -> None:
        if domain is None:
            if to or user or reason or override:
                raise CommandError("--to, --user, --reason and --override change one domain: name it", returncode=2)
            self._list()
            return
        if not to or not user:
            raise CommandError("changing a mode needs --to MODE and --user USERNAME")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"no user named {user!r}")
        try:
            change = store_mode_change(domain=domain, to_mode=to, user=actor, reason=reason, override=override)
        except (StoreModeChangeRefused, UnknownDomain) as refusal:
            raise CommandError(f"refused: {refusal}") from None
        self.stdout.write(f"{domain}: {change.from_mode} → {change.to_mode}")

    def _list(self) -> None:
        invalidate_mode_cache()
        dead = dead_letter_counts()
        for name in domain_names():
            state = current_mode_state(name)
            line = f"{name:24} {state.mode.value:20} shadow reads {state.shadow_read_percent:3}%  "
            if dead.get(name):
                line += f"{dead[name]} dead mirror write(s): `requeue_dead_letters --domain {name}`; "
            self.stdout.write(line + str(mode_transition(name)))
