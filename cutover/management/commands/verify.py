import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cutover.registry import UnknownDomain, domain_spec, domains_in_dependency_order
from cutover.verify import verify_domain


class Command(BaseCommand):
    help = (
        "Compare every Mongo document with its Postgres rows (children included) in canonical form, range by "
        "range, and report ids missing in Postgres, missing in Mongo, or differing (with the fields). The result "
        "is stored for the store mode preconditions. Exit status 1 when any domain fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domains", nargs="*", help="domains to verify")
        parser.add_argument("--all", action="store_true", help="every domain")
        parser.add_argument("--range-size", type=int, default=1000, help="documents per compared range")
        parser.add_argument("--json", action="store_true", help="print a machine-readable report")

    def handle(self, *args, domains: list[str], all: bool, range_size: int, json: bool, **options) -> None:
        if all == bool(domains):
            raise CommandError("name the domains to verify, or pass --all (not both)")
        try:
            wanted = {domain_spec(name).name for name in domains}
        except UnknownDomain as error:
            raise CommandError(str(error)) from None
        results = [
            verify_domain(spec.name, range_size=range_size)
            for spec in domains_in_dependency_order()
            if all or spec.name in wanted
        ]
        self._print(results, json)
        failed = [result.domain for result in results if not result.passed]
        if failed:
            sys.stderr.write(f"verify failed for: {', '.join(failed)}\n")
            sys.exit(1)

    def _print(self, results, as_json: bool) -> None:
        if as_json:
            report = {r.domain: {"passed": r.passed, "counts": r.counts, "samples": r.samples} for r in results}
            self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
            return
        for result in results:
            for collection, counts in result.counts.items():
                problems = {k: v for k, v in counts.items() if v and k not in ("compared", "ranges")}
                self.stdout.write(
                    f"{result.domain}/{collection}: {counts['compared']} compared"
                    + (f", {problems}" if problems else ", equal")
                )
            self.stdout.write(f"{result.domain}: {'PASS' if result.passed else 'FAIL'}")
