from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from cutover.management.arguments import ProjectCommand, known_domain, positive_int
from cutover.operations.requeue import RequeueRefused, dead_letter_counts, outbox_requeue_dead


class Command(ProjectCommand):
    help = (
        "Put dead mirror writes (outbox entries that gave up after CUTOVER_OUTBOX_MAX_ATTEMPTS) back to pending, "
        "once their cause is fixed: `requeue_dead_letters --domain payment --user alice --reason '...'`. The next "
        "repair mirrors them. Needs cutover.requeue_dead_letters; who, when, why and how many are recorded. "
        "The CLI twin of the outbox admin's action. Without --user: list the dead entries per domain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--domain", type=known_domain, help="the dead entries of this domain")
        which.add_argument("--all", action="store_true", help="every dead entry")
        which.add_argument("--ids", nargs="+", type=positive_int, metavar="ID", help="these outbox entries")
        parser.add_argument("--user", help="username requeueing (needs cutover.requeue_dead_letters)")
        parser.add_argument("--reason", default="", help="why the cause is fixed; kept in the audit")

    def handle(self, *args, domain, all, ids, user, reason, **options) -> None:
        if user is None:
            if reason or domain or all or ids:
                raise CommandError("requeueing needs --user USERNAME and --reason", returncode=2)
            counts = dead_letter_counts()
            for name, count in counts.items():
                self.stdout.write(f"{name}: {count} dead")
            self.stdout.write(f"{sum(counts.values())} dead mirror write(s)")
            return
        if not (domain or all or ids):
            raise CommandError("say which dead entries: --domain NAME, --all or --ids ID ...", returncode=2)
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"no user named {user!r}")
        try:
            done = outbox_requeue_dead(user=actor, reason=reason, domain=domain, entry_ids=ids)
        except RequeueRefused as refusal:
            raise CommandError(f"refused: {refusal}") from None
        self.stdout.write(
            f"requeued {done.count} dead mirror write(s) (audit #{done.pk}); the next repair mirrors them"
        )
