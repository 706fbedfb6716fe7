import json

from django.core.management.base import CommandError, CommandParser
from pymongo.errors import PyMongoError

from cutover.backfill.source import mongo_failure
from cutover.backfill.target import MigrationStoresUnusable, prepare_migration_process
from cutover.backfill.verify import verify_domain
from cutover.management.arguments import (
    ProjectCommand,
    add_domain_selection,
    migration_mongo_url,
    positive_int,
    require_mongo,
    selected_domains,
)
from cutover.modes.cache import current_mode
from cutover.operations.record_clocks import future_clocks
from cutover.operations.verify_fixes import verify_fixes

_NOT_PROBLEMS = ("documents", "compared", "ranges", "acknowledged")


class Command(ProjectCommand):
    help = (
        "Compare every Mongo document with its Postgres rows (children included) in canonical form, range by "
        "range, and report ids missing in Postgres, missing in Mongo, or differing (with the fields). The result "
        "is stored for the store mode preconditions. Exit status 1 when any domain fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_domain_selection(parser, verb="verify")
        parser.add_argument("--range-size", type=positive_int, default=1000, help="documents per compared range")
        parser.add_argument("--json", action="store_true", help="print a machine-readable report")

    def handle(self, *args, domains: list[str], all: bool, range_size: int, json: bool, **options) -> None:
        specs = selected_domains(domains, all, verb="verify")
        try:
            prepare_migration_process("verify")
        except MigrationStoresUnusable as error:
            raise CommandError(str(error)) from None
        require_mongo(url=migration_mongo_url(), what="nothing was verified and no result was stored")
        results = [self._verify(spec.name, range_size) for spec in specs]
        self._print(results, json)
        failed = [result.domain for result in results if not result.passed]
        if failed:
            raise CommandError(f"verify failed for: {', '.join(failed)}", returncode=1)

    @staticmethod
    def _verify(domain: str, range_size: int):
        try:
            return verify_domain(domain, range_size=range_size)
        except PyMongoError as error:
            raise CommandError(f"verify of {domain} stopped: {mongo_failure(error)}; no result was stored") from None

    def _print(self, results, as_json: bool) -> None:
        if as_json:
            report = {r.domain: {"passed": r.passed, "counts": r.counts, "samples": r.samples} for r in results}
            self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
            return
        for result in results:
            for collection, counts in result.counts.items():
                problems = {k: v for k, v in counts.items() if v and k not in _NOT_PROBLEMS}
                apart = (
                    f", {counts['acknowledged']} acknowledged rejects not compared"
                    if counts.get("acknowledged")
                    else ""
                )
                self.stdout.write(
                    f"{result.domain}/{collection}: {counts.get('documents', '?')} documents, {counts['compared']} "
                    f"compared{apart}" + (f", {problems}" if problems else ", equal")
                )
            for line in future_clocks(result.domain):
                self.stdout.write(line)
            self.stdout.write(f"{result.domain}: {'PASS' if result.passed else 'FAIL'}")
            if not result.passed:
                found = {k for counts in result.counts.values() for k, v in counts.items() if v}
                for command, does in verify_fixes(result.domain, current_mode(result.domain), found):
                    self.stdout.write(f"  fix: {command} ({does})")
