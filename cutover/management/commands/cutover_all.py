import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from cutover.management.arguments import ProjectCommand
from cutover.modes.cache import current_mode, invalidate_mode_cache
from cutover.modes.registry import domains_in_dependency_order
from cutover.modes.store_mode import StoreMode
from cutover.operations.evidence import mode_entry
from cutover.operations.mode_changes import StoreModeChangeRefused, store_mode_change

MAX_SOAK_WAIT_SECONDS = 60.0


class Command(ProjectCommand):
    help = (
        "Walk every domain to postgres the way the runbook does, through the same guarded changes as "
        "`store_mode`: each domain to dual_mongo_primary, then (once every process follows it) `backfill --all` "
        "and `verify --all`, then each to dual (parents first), `verify --all` again once every process follows "
        "dual, the shadow-read soak (waited for when CUTOVER_SOAK_SECONDS is at most a minute, as the quickstart "
        "sets it) and each to postgres. Steps already taken are skipped; the first refusal stops it with its "
        "reason. For demos, the quickstart and rehearsals on a copy: in production move one domain at a time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username of the admin making the changes")
        parser.add_argument("--reason", required=True, help="why; kept in each change's audit history")

    def handle(self, *args, user: str, reason: str, **options) -> None:
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"no user named {user!r}")
        names = [spec.name for spec in domains_in_dependency_order()]
        self._move_all(names, StoreMode.DUAL_MONGO_PRIMARY, actor, reason)
        if self._settle(names, StoreMode.DUAL_MONGO_PRIMARY):
            call_command("backfill", all=True, stdout=self.stdout)
            call_command("verify", all=True, stdout=self.stdout)
        self._move_all(names, StoreMode.DUAL, actor, reason)
        if self._settle(names, StoreMode.DUAL):
            call_command("verify", all=True, stdout=self.stdout)
            if settings.CUTOVER_SOAK_SECONDS <= MAX_SOAK_WAIT_SECONDS:
                time.sleep(settings.CUTOVER_SOAK_SECONDS)
        self._move_all(names, StoreMode.POSTGRES, actor, reason)

    def _settle(self, names: list[str], mode: StoreMode) -> bool:
        """Wait until every process follows the domains now in `mode` (evidence counts only after that,
        cutover.operations.evidence.mode_entry); False if none is in it."""
        settled = [mode_entry(name, mode).settled_at for name in names if current_mode(name) is mode]
        if not settled:
            return False
        latest = max((at for at in settled if at is not None), default=None)
        if latest is not None:
            time.sleep(max(0.0, (latest - timezone.now()).total_seconds()) + 0.01)
        return True

    def _move_all(self, names: list[str], target: StoreMode, actor, reason: str) -> None:
        invalidate_mode_cache()
        for name in names:
            if current_mode(name).position >= target.position:
                continue
            try:
                change = store_mode_change(domain=name, to_mode=target.value, user=actor, reason=reason)
            except StoreModeChangeRefused as refusal:
                raise CommandError(f"{name}: refused: {refusal}") from None
            self.stdout.write(f"{name}: {change.from_mode} → {change.to_mode}")
