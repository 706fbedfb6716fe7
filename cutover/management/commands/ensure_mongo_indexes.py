from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from pymongo.errors import ConnectionFailure

from cutover.management.arguments import ProjectCommand, first_line, known_domain, require_mongo
from cutover.modes.mongo_usage import mongo_may_be_used_for
from cutover.modes.registry import declared_mongo_indexes, domain_names
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
        domains = self._domains_using_mongo(domains or domain_names())
        if not domains:
            return
        require_mongo(what="no index was changed")
        try:
            outcomes = ensure_mongo_indexes(declared_mongo_indexes(domains))
        except ConnectionFailure as error:
            raise CommandError(
                f"MongoDB is unreachable, no index was changed: {first_line(error, 200)}"
            ) from None
        for outcome in outcomes:
            (self.stdout if outcome.ok else self.stderr).write(str(outcome))
        failed = [outcome for outcome in outcomes if not outcome.ok]
        if failed:
            raise CommandError(f"{len(failed)} of {len(outcomes)} indexes need attention (see above)", returncode=1)

    def _domains_using_mongo(self, names: list[str]) -> list[str]:
        """The named domains whose mode uses Mongo; says why the others (or all) were left alone, so a
        deployment on `postgres` opens no Mongo connection here (MONGO_CONNECT_MODE=auto)."""
        if settings.MONGO_CONNECT_MODE == "disabled":
            self.stdout.write("nothing to do: MONGO_CONNECT_MODE=disabled, so no Mongo index is needed or touched")
            return []
        using = [name for name in names if mongo_may_be_used_for(name)]
        skipped = [name for name in names if name not in using]
        if skipped:
            self.stdout.write(
                f"skipped {', '.join(skipped)}: on postgres, nothing reads or writes their Mongo collections "
                f"(a rollback to dual runs this again)"
            )
        if not using:
            self.stdout.write("nothing to do: no domain uses MongoDB, so no connection was opened")
        return using
