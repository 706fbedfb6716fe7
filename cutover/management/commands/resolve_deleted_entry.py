from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from cutover.management.arguments import ProjectCommand, positive_int
from cutover.operations.deleted_entries import DeletedEntryResolutionRefused, resolve_deleted_entry


class Command(ProjectCommand):
    help = (
        "Resolve an insert-only entry (funds ledger) whose Mongo document was deleted while Mongo led: the "
        "`deleted_entry` reject a forward backfill opened for it. Its document is restored from the row, then "
        "either a compensating entry cancels its balance effect (--compensate) or it stands (--stands). "
        "`resolve_deleted_entry 12 --compensate --user alice --reason 'duplicate deposit'`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reject", type=positive_int, metavar="ID", help="the deleted_entry reject's id")
        how = parser.add_mutually_exclusive_group(required=True)
        how.add_argument("--compensate", action="store_true", help="add an entry that cancels its effect")
        how.add_argument("--stands", action="store_true", help="keep it as it is: the deletion was the mistake")
        parser.add_argument("--user", required=True, help="who decides (needs cutover.acknowledge_backfillreject)")
        parser.add_argument("--reason", required=True, help="why, for the record")
        parser.add_argument("--reference", default="", help="the compensating entry's reference (default derived)")

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user named {options['user']!r}")
        try:
            done = resolve_deleted_entry(
                reject_id=options["reject"],
                user=user,
                reason=options["reason"],
                compensate=options["compensate"],
                reference=options["reference"],
            )
        except DeletedEntryResolutionRefused as refusal:
            raise CommandError(f"refused: {refusal}") from None
        self.stdout.write(f"resolved #{options['reject']}: {done}")
