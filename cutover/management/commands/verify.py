import json

from django.core.management.base import CommandError, CommandParser
from pymongo.errors import PyMongoError

from cutover.backfill.source import mongo_failure, store_unavailable
from cutover.backfill.stopping import EXIT_STATUS, Interrupted, stop_on_signals
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

_NOT_PROBLEMS = ("documents", "compared", "ranges", "acknowledged", "implausible", "in_flight")


class Command(ProjectCommand):
    help = (
        "Compare every Mongo document with its Postgres rows (children included) in canonical form, range by "
        "range, and report ids missing in Postgres, missing in Mongo, or differing (with the fields). The result "
        "is stored for the store mode preconditions. A domain whose verify the store refuses does not stop the next "
        "ones (only a store outage does). Exit status 1 when any domain fails or stops; 130 (Ctrl-C) or 143 (SIGTERM) "
        "when a signal stopped it between two ranges (that domain's result is not stored)."
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
        results, stopped = [], []
        with stop_on_signals():
            for index, spec in enumerate(specs):
                try:
                    result = self._verify(spec.name, range_size, stopped, later=[s.name for s in specs[index + 1 :]])
                except Interrupted as interrupted:
                    self._print(results, json)
                    self.stderr.write(
                        f"interrupted at {interrupted.where}; no result was stored for {spec.name}; "
                        f"run the same command to verify again"
                    )
                    raise SystemExit(EXIT_STATUS[interrupted.signal_name]) from None
                if result is not None:
                    results.append(result)
        self._print(results, json)
        failed = [result.domain for result in results if not result.passed]
        if failed or stopped:
            said = [f"verify failed for: {', '.join(failed)}"] if failed else []
            raise CommandError("; ".join(said + stopped), returncode=1)

    @staticmethod
    def _verify(domain: str, range_size: int, stopped: list[str], *, later: list[str]):
        """The domain's result, or None after adding to `stopped` why it has none: a query the store refused
        (the next domains still run); an outage of the store stops the command."""
        try:
            return verify_domain(domain, range_size=range_size)
        except PyMongoError as error:
            if store_unavailable(error):
                not_run = f" Not verified: {', '.join(later)}." if later else ""
                raise CommandError(
                    f"verify of {domain} stopped: {mongo_failure(error)}; no result was stored.{not_run}"
                ) from None
            stopped.append(f"verify of {domain} stopped: {mongo_failure(error)}; no result was stored")
        return None

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
                    f"compared{apart}"
                    + (f", {problems}" if problems else ", equal")
                    + _informational(result, collection)
                )
            for line in future_clocks(result.domain):
                self.stdout.write(line)
            self.stdout.write(f"{result.domain}: {'PASS' if result.passed else 'FAIL'}")
            if not result.passed:
                found = {
                    k for counts in result.counts.values() for k, v in counts.items() if v and k not in _NOT_PROBLEMS
                }
                for command, does in verify_fixes(result.domain, current_mode(result.domain), found):
                    self.stdout.write(f"  fix: {command} ({does})")


def _informational(result, collection: str) -> str:
    """Records written while verify ran, and values outside a plausible range: shown, never a failure."""
    counts, samples = result.counts[collection], (result.samples or {}).get(collection, {})
    notes = [f"{counts['in_flight']} in flight (being written)"] if counts.get("in_flight") else []
    notes += [f"{entry['count']} {what}" for what, entry in samples.get("implausible", {}).items()]
    return f" (informational: {'; '.join(notes)})" if notes else ""
