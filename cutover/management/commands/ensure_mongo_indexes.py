from django.core.management.base import CommandError, CommandParser
from pymongo.errors import ConnectionFailure

from cutover.management.arguments import ProjectCommand, known_domain, require_mongo
from cutover.modes.registry import declared_mongo_indexes
from cutover.store.mongo_indexes import ensure_mongo_indexes


class Command(ProjectCommand):
    help = (
        "Create the Mongo indexes the legacy app relies on, including the TTL indexes that expire "
        "temp verifications, telegram sessions and notifications while a domain is in mongo mode. "
        "Compares with the indexes that exist first: leaves equal ones alone, converts a plain index "
        "to TTL in place, and reports any other conflict (exit status 1) without stopping at it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domains", nargs="*", type=known_domain, help="only these domains (default: all)")

    def handle(self, *args, domains: list[str], **options) -> None:
        require_mongo(what="no index was changed")
        try:
            outcomes = ensure_mongo_indexes(declared_mongo_indexes(domains or None))
        except ConnectionFailure as error:
            raise CommandError(
                f"MongoDB is unreachable, no index was changed: {str(error).splitlines()[0][:200]}"
            ) from None
        for outcome in outcomes:
            (self.stdout if outcome.ok else self.stderr).write(str(outcome))
        failed = [outcome for outcome in outcomes if not outcome.ok]
        if failed:
            raise CommandError(f"{len(failed)} of {len(outcomes)} indexes need attention (see above)", returncode=1)
