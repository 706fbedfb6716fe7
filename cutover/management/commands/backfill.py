import json
import logging

from django.core.management.base import CommandError, CommandParser
from django.db import InterfaceError, OperationalError
from pymongo.errors import PyMongoError

from cutover.backfill.control import Throttle
from cutover.backfill.run import BackfillRefused
from cutover.backfill.source import mongo_failure, store_unavailable
from cutover.backfill.stopping import DEADLINE, EXIT_STATUS, stop_on_signals
from cutover.backfill.summary import run_report, stopped_where
from cutover.backfill.target import MigrationStoresUnusable, prepare_migration_process
from cutover.management.arguments import (
    ProjectCommand,
    add_domain_selection,
    first_line,
    migration_mongo_url,
    positive_float,
    positive_int,
    require_mongo,
    selected_domains,
)

logger = logging.getLogger("cutover.backfill")


_RESUME = "run the same command to resume"
_STOPS = {DEADLINE: "stopped at the --max-minutes limit", "pause": "paused", "cancel": "canceled"}
_NEXT = {"pause": "resume it with `backfill_control resume RUN` (or the cockpit)"}


class Command(ProjectCommand):
    help = (
        "Copy legacy Mongo documents into Postgres, domain by domain in dependency order: fast (COPY + one "
        "upsert per batch), idempotent (a rerun rewrites nothing that is right) and resumable (a killed run "
        "resumes at its last batch). Reads MIGRATION_MONGO_URL, else MONGO_URL; writes MIGRATION_PG_URL, else "
        "DATABASE_URL. Documents that cannot be migrated become reject records (see admin) and the run goes on; "
        "a domain that fails or is refused does not stop the next ones (only a store outage does); the exit "
        "status is 1 when any were rejected or any domain failed, with a summary; 0 when --max-minutes stopped it "
        "cleanly; 130 (Ctrl-C) or 143 (SIGTERM) when a signal stopped it at a batch boundary, saying where."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_domain_selection(parser, verb="backfill")
        parser.add_argument("--batch-size", type=positive_int, default=2000, help="documents per batch (default 2000)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="read, transform and validate, and report what a real run would write and reject; write nothing "
            "(with --reverse: count the Mongo documents it would rewrite). Never counts as a run for a precondition.",
        )
        parser.add_argument("--restart", action="store_true", help="ignore checkpoints and start over")
        parser.add_argument(
            "--max-minutes", type=positive_float, help="stop cleanly at a batch boundary after this long"
        )
        parser.add_argument("--json", action="store_true", help="print a machine-readable summary")
        parser.add_argument("--max-rate", type=positive_float, help="throttle: at most this many rows/s")
        parser.add_argument(
            "--target-batch-seconds",
            type=positive_float,
            help="throttle: shrink the batch (down to 50) while a batch takes longer than this, grow it back to "
            "--batch-size when quicker",
        )
        parser.add_argument(
            "--busy-connections",
            type=int,
            help="throttle: wait while more than this many sessions of the database are active (pg_stat_activity); "
            "default CUTOVER_BACKFILL_BUSY_CONNECTIONS (0: never wait)",
        )
        direction = parser.add_mutually_exclusive_group()
        direction.add_argument(
            "--reverse",
            action="store_true",
            help="Postgres -> Mongo, for a rollback; refused while Mongo is authoritative (mongo, dual_mongo_primary)",
        )
        direction.add_argument("--via-celery", action="store_true", help="run ObjectId ranges as Celery tasks")
        parser.add_argument("--shards", type=positive_int, default=4, help="ranges per collection with --via-celery")
        parser.add_argument(
            "--worker-wait",
            type=positive_float,
            help="with --via-celery: give up after this many seconds when no worker takes a shard "
            "(default CUTOVER_BACKFILL_WORKER_WAIT_SECONDS, 60)",
        )

    def handle(self, *args, **options) -> None:
        specs = selected_domains(options["domains"], options["all"], verb="backfill")
        try:
            prepare_migration_process("backfill", via_celery=options["via_celery"])
        except MigrationStoresUnusable as error:
            raise CommandError(str(error)) from None
        require_mongo(url=migration_mongo_url(), what="nothing was backfilled and no run was recorded")
        if options["reverse"]:
            self._refuse_reverse_where_mongo_leads(specs)
        report, failed, stop = {}, [], None
        with stop_on_signals():
            for index, spec in enumerate(specs):
                run = self._run_or_explain(spec.name, options, failed, later=[s.name for s in specs[index + 1 :]])
                if run is None:  # refused or failed: said in `failed`; the next domain goes on
                    continue
                report[spec.name] = run_report(run)
                stop = stopped_where(run)
                rejected = sum(summary.get("rejected", 0) for summary in run.summary.values())
                if rejected or run.status not in ("finished", "stopped", "paused", "canceled"):
                    where = "dry run: not recorded" if run.dry_run else "see admin: Backfill rejects"
                    would = " would be" if run.dry_run else ""
                    failed.append(f"{spec.name}: {run.status}, {rejected}{would} rejected ({where})")
                if stop:  # the deadline or a signal: the later domains are not started either
                    break
        self._print(report, options["json"])
        self._end(stop, failed)

    def _end(self, stop: tuple[str, str] | None, failed: list[str]) -> None:
        """Exit 0 when every domain finished, or the --max-minutes deadline or an operator (a pause, a cancel)
        stopped it cleanly; 130/143 after
        SIGINT/SIGTERM (whatever else happened); 1 when anything was rejected or failed."""
        if stop:
            reason, where = stop
            self.stderr.write(f"{_STOPS.get(reason, 'interrupted')} at {where}; {_NEXT.get(reason, _RESUME)}")
            if reason in EXIT_STATUS:
                if failed:
                    self.stderr.write("; ".join(failed))
                raise SystemExit(EXIT_STATUS[reason])
        if failed:
            raise CommandError("; ".join(failed), returncode=1)

    @staticmethod
    def _refuse_reverse_where_mongo_leads(specs) -> None:
        """Every domain is checked before the first is reversed, so a refusal leaves none half done."""
        from cutover.backfill.reverse import refuse_while_mongo_leads

        for spec in specs:
            try:
                refuse_while_mongo_leads(spec.name)
            except BackfillRefused as refusal:
                raise CommandError(str(refusal)) from None

    def _run_or_explain(self, domain: str, options: dict, failed: list[str], *, later: list[str]):
        """The domain's run, or None after adding why it has none to `failed`: a refusal, or a failure that is
        the domain's own (a query the store refused, an unexpected error), after which the next domains still
        run. Only an outage of a store stops the whole command: every later domain would fail the same way."""
        try:
            return self._run(domain, options)
        except BackfillRefused as refusal:
            failed.append(str(refusal))
        except PyMongoError as error:
            if store_unavailable(error):
                not_run = f" Not run: {', '.join(later)}." if later else ""
                before = f" Earlier: {'; '.join(failed)}." if failed else ""
                raise CommandError(
                    f"backfill of {domain} stopped: {mongo_failure(error)}. Its run is marked failed; rerun when "
                    f"Mongo is back (it resumes at its checkpoint).{not_run}{before}"
                ) from None
            failed.append(f"{domain}: failed, {mongo_failure(error)}; its run is marked failed")
        except (OperationalError, InterfaceError):
            raise  # PostgreSQL away: nothing later could be written either
        except Exception as error:  # a domain's own failure never keeps the next domains from running
            logger.exception("backfill of %s failed", domain)
            failed.append(f"{domain}: failed, {type(error).__name__}: {first_line(error)}; its run is marked failed")
        return None

    def _run(self, domain: str, options: dict):
        common = {
            "batch_size": options["batch_size"],
            "dry_run": options["dry_run"],
            "restart": options["restart"],
            "max_minutes": options["max_minutes"],
            "show_progress": not options["json"],
        }
        throttle = Throttle(
            max_rate=options["max_rate"],
            target_batch_seconds=options["target_batch_seconds"],
            busy_connections=options["busy_connections"],
        )
        if options["reverse"]:
            from cutover.backfill.reverse import reverse_backfill_domain

            return reverse_backfill_domain(domain, throttle=throttle, **common)
        if options["via_celery"]:
            from cutover.backfill.shards import backfill_domain_via_celery

            return backfill_domain_via_celery(
                domain, shards=options["shards"], worker_wait_seconds=options["worker_wait"], **common
            )
        from cutover.backfill.service import backfill_domain

        return backfill_domain(domain, throttle=throttle, **common)

    def _print(self, report: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
            return
        for domain, outcome in report.items():
            would = "would be " if outcome["dry_run"] else ""
            for collection, s in outcome["collections"].items():
                self.stdout.write(
                    f"{domain}/{collection}: read {s['read']}, {would}written {s['written']}, unchanged "
                    f"{s['unchanged']}, {would}rejected {s['rejected']}, skipped {s['skipped']}, "
                    f"{would}deleted {s.get('deleted', 0)} "
                    f"in {s['seconds']}s"
                )
            dry = ", dry run: nothing was written" if outcome["dry_run"] else ""
            self.stdout.write(f"{domain}: {outcome['status']} (run #{outcome['run']}{dry})")
