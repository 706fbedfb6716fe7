from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from cutover.backfill.review import RejectAcknowledgementRefused, backfill_reject_acknowledge, backfill_rejects
from cutover.management.arguments import ProjectCommand, known_domain, positive_int
from cutover.models import BackfillReject

STATUSES = [status.value for status in BackfillReject.Status]


class Command(ProjectCommand):
    help = (
        "List backfill rejects (documents that could not be migrated), or acknowledge open ones that may stay "
        "out of Postgres: `backfill_rejects --domain payment --acknowledge 12 13 --user alice --reason '...'`. "
        "Open rejects block the move to dual until each is resolved by a rerun or acknowledged. "
        "The CLI twin of the admin action: same permission, checks and record."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--domain", type=known_domain, help="only this domain's rejects (with --acknowledge: refuse others)"
        )
        parser.add_argument("--status", choices=[*STATUSES, "all"], default="open", help="which to list (default open)")
        parser.add_argument(
            "--root-causes", action="store_true", help="only root causes: not orphans of a rejected parent"
        )
        parser.add_argument("--limit", type=positive_int, default=100, help="list at most this many (default 100)")
        parser.add_argument(
            "--acknowledge", nargs="+", type=positive_int, metavar="ID", help="reject ids to acknowledge"
        )
        parser.add_argument("--user", help="username acknowledging (needs cutover.acknowledge_backfillreject)")
        parser.add_argument("--reason", default="", help="why these documents may stay out of Postgres")
        parser.add_argument(
            "--money",
            choices=["compensate", "drop"],
            help="for rejects that carry money (a ledger entry): compensate (a compensating entry carries the money "
            "into the ledger) or drop (the money stays out once a second user confirms with --money drop)",
        )

    def handle(self, *args, **options) -> None:
        if not options["acknowledge"] and (options["user"] or options["reason"] or options["money"]):
            raise CommandError("--user, --reason and --money go with --acknowledge ID ...", returncode=2)
        if options["acknowledge"]:
            ids, user, reason = options["acknowledge"], options["user"], options["reason"]
            self._acknowledge(ids, user, reason, options["domain"], options["money"])
        else:
            self._list(options)

    def _acknowledge(
        self, ids: list[int], username: str | None, reason: str, domain: str | None, money: str | None
    ) -> None:
        if not username:
            raise CommandError("acknowledging needs --user USERNAME (and --reason)")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        try:
            done = backfill_reject_acknowledge(reject_ids=ids, user=user, reason=reason, domain=domain, money=money)
        except RejectAcknowledgementRefused as refusal:
            raise CommandError(f"refused: {refusal}") from None
        for reject in done:
            money_note = f" [{reject.money_effect}]" if reject.money_effect else ""
            if reject.compensating_entry_id:
                money_note += f", compensated by entry {reject.compensating_entry_id}"
            if reject.status == BackfillReject.Status.OPEN:
                self.stdout.write(
                    f"#{reject.pk} {reject.collection}/{reject.record_id}: dropping its money{money_note} was asked "
                    f"by {reject.money_drop_requested_by_name}; open until another user confirms with --money drop"
                )
            else:
                self.stdout.write(f"acknowledged #{reject.pk} {reject.collection}/{reject.record_id}{money_note}")

    def _list(self, options: dict) -> None:
        status = None if options["status"] == "all" else options["status"]
        rejects = backfill_rejects(domain=options["domain"], status=status, root_causes_only=options["root_causes"])
        total = rejects.count()
        for reject in rejects[: options["limit"]]:
            self.stdout.write(
                f"#{reject.pk} {reject.domain} {reject.collection}/{reject.record_id} {reject.kind} "
                f"[{reject.status}]: {reject.reason}"
            )
        scope = f" of {options['domain']}" if options["domain"] else ""
        kind = " root-cause" if options["root_causes"] else ""
        which = "" if status is None else f" {status}"
        shown = f" (showing {options['limit']})" if total > options["limit"] else ""
        self.stdout.write(f"{total}{kind}{which} reject(s){scope}{shown}")
