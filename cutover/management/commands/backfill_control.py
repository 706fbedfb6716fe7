from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser

from cutover.management.arguments import ProjectCommand
from cutover.models import BackfillRun
from cutover.operations.backfill_control import BackfillControlRefused, request_stop, resume_decision


class Command(ProjectCommand):
    help = (
        "Pause, resume or cancel a backfill run by its number (shown by `backfill` and in admin), audited like a "
        "mode change (--user, who needs cutover.control_backfillrun, and --reason). A pause or cancel is obeyed "
        "at the run's next batch boundary (its checkpoints kept); resume runs the same domain and direction here, "
        "from those checkpoints, with the `backfill` exit status."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("pause", "resume", "cancel"))
        parser.add_argument("run", type=int, help="the backfill run's number")
        parser.add_argument("--user", required=True, help="username deciding (needs cutover.control_backfillrun)")
        parser.add_argument("--reason", required=True, help="why (kept on the run)")
        parser.add_argument("--json", action="store_true", help="with resume: the backfill's JSON summary")

    def handle(self, *args, action: str, run: int, user: str, reason: str, json: bool, **options) -> None:
        decider = get_user_model().objects.filter(username=user).first()
        if decider is None:
            raise CommandError(f"no user named {user!r}")
        try:
            if action == "resume":
                paused = resume_decision(run, user=decider, reason=reason)
            else:
                asked = request_stop(run, action, user=decider, reason=reason)
        except BackfillControlRefused as refusal:
            raise CommandError(f"refused: {refusal}") from None
        if action != "resume":
            obeyed = "canceled" if asked.status == BackfillRun.Status.CANCELED else f"asked to {action}"
            self.stdout.write(f"run #{asked.pk} ({asked.domain}): {obeyed}; it stops at its next batch boundary")
            return
        reverse = ["--reverse"] if paused.direction == BackfillRun.Direction.REVERSE else []
        dry = ["--dry-run"] if paused.dry_run else []
        call_command("backfill", paused.domain, *reverse, *dry, *(["--json"] if json else []), stdout=self.stdout)
