import json as json_module

from django.core.management.base import CommandError, CommandParser

from cutover.management.arguments import ProjectCommand, known_domain
from cutover.modes.registry import UnknownDomain
from cutover.operations.cutover_check import cutover_checks


class Command(ProjectCommand):
    help = (
        "Check the legacy plan's completion criteria, live: every domain on postgres, its last backfill finished "
        "and verified after, the outbox empty, no open backfill reject, the TTL purges on time, the legacy env "
        "flags agreeing with the live modes, the ledger trigger installed, and Mongo optional. A table, or "
        "--json; exit status 0 only when every check passes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "domains", nargs="*", type=known_domain, help="only these domains (default: all, and the deployment)"
        )
        parser.add_argument("--json", action="store_true", help="print a machine-readable report")

    def handle(self, *args, domains: list[str], json: bool, **options) -> None:
        try:
            checks = cutover_checks(domains or None)
        except UnknownDomain as error:
            raise CommandError(str(error)) from None
        passed = all(check.ok for check in checks)
        if json:
            self.stdout.write(_json({"passed": passed, "checks": [check.as_dict() for check in checks]}))
        else:
            self._table(checks, passed)
        if not passed:
            raise CommandError("the cutover is not complete: see the failing checks above", returncode=1)

    def _table(self, checks, passed: bool) -> None:
        widths = (max(len(c.domain) for c in checks), max(len(c.name) for c in checks))
        self.stdout.write(f"{'DOMAIN':<{widths[0]}}  {'CHECK':<{widths[1]}}  RESULT  DETAIL")
        for check in checks:
            result = "pass" if check.ok else "FAIL"
            self.stdout.write(f"{check.domain:<{widths[0]}}  {check.name:<{widths[1]}}  {result:<6}  {check.detail}")
            if not check.ok and check.fix:
                self.stdout.write(f"{'':<{widths[0]}}  {'':<{widths[1]}}  {'':<6}  fix: {check.fix}")
        failed = sum(not check.ok for check in checks)
        summary = "cutover complete: every check passes" if passed else f"{failed} of {len(checks)} checks fail"
        self.stdout.write(summary)


def _json(report: dict) -> str:
    return json_module.dumps(report, indent=2)
