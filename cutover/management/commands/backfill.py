import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cutover.backfill.service import BackfillAlreadyRunning
from cutover.registry import UnknownDomain, domain_spec, domains_in_dependency_order


class Command(BaseCommand):
    help = (
        "Copy legacy Mongo documents into Postgres, domain by domain in dependency order: fast (COPY + one "
        "upsert per batch), idempotent (a rerun rewrites nothing that is right) and resumable (a killed run "
        "resumes at its last batch). Reads MIGRATION_MONGO_URL, else MONGO_URL. Documents that cannot be migrated "
        "become reject records (see admin) and the run goes on; the exit status is 1 when any were rejected."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domains", nargs="*", help="domains to backfill (see `store_mode`)")
        parser.add_argument("--all", action="store_true", help="every domain, parents first")
        parser.add_argument("--batch-size", type=int, default=2000, help="documents per batch (default 2000)")
        parser.add_argument("--dry-run", action="store_true", help="read, transform and validate; write nothing")
        parser.add_argument("--restart", action="store_true", help="ignore checkpoints and start over")
        parser.add_argument("--max-minutes", type=float, help="stop cleanly at a batch boundary after this long")
        parser.add_argument("--json", action="store_true", help="print a machine-readable summary")
        parser.add_argument("--reverse", action="store_true", help="Postgres -> Mongo, for a rollback")
        parser.add_argument("--via-celery", action="store_true", help="run ObjectId ranges as Celery tasks")
        parser.add_argument("--shards", type=int, default=4, help="ranges per collection with --via-celery")

    def handle(self, *args, **options) -> None:
        specs = self._domains(options["domains"], options["all"])
        if options["batch_size"] < 1 or options["shards"] < 1:
            raise CommandError("--batch-size and --shards must be at least 1")
        report, failed = {}, []
        for spec in specs:
            try:
                run = self._run(spec.name, options)
            except BackfillAlreadyRunning as refusal:
                raise CommandError(str(refusal)) from None
            report[spec.name] = {"run": run.pk, "status": run.status, "collections": run.summary}
            rejected = sum(summary.get("rejected", 0) for summary in run.summary.values())
            if rejected or run.status != "finished":
                failed.append(f"{spec.name}: {run.status}, {rejected} rejected (see admin: Backfill rejects)")
        self._print(report, options["json"])
        if failed:
            sys.stderr.write("\n".join(failed) + "\n")
            sys.exit(1)

    def _domains(self, names: list[str], everything: bool):
        if everything == bool(names):
            raise CommandError("name the domains to backfill, or pass --all (not both)")
        try:
            wanted = [domain_spec(name).name for name in names]
        except UnknownDomain as error:
            raise CommandError(str(error)) from None
        return [spec for spec in domains_in_dependency_order() if everything or spec.name in wanted]

    def _run(self, domain: str, options: dict):
        common = {
            "batch_size": options["batch_size"],
            "restart": options["restart"],
            "max_minutes": options["max_minutes"],
            "show_progress": not options["json"],
        }
        if options["reverse"]:
            from cutover.backfill.reverse import reverse_backfill_domain

            return reverse_backfill_domain(domain, **common)
        if options["via_celery"]:
            from cutover.backfill.shards import backfill_domain_via_celery

            return backfill_domain_via_celery(domain, shards=options["shards"], **common)
        from cutover.backfill.service import backfill_domain

        return backfill_domain(domain, dry_run=options["dry_run"], **common)

    def _print(self, report: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
            return
        for domain, outcome in report.items():
            for collection, s in outcome["collections"].items():
                self.stdout.write(
                    f"{domain}/{collection}: read {s['read']}, written {s['written']}, unchanged "
                    f"{s['unchanged']}, rejected {s['rejected']}, skipped {s['skipped']} "
                    f"in {s['seconds']}s"
                )
            self.stdout.write(f"{domain}: {outcome['status']} (run #{outcome['run']})")
