from django.core.management.base import CommandParser

from cutover.management.arguments import ProjectCommand, known_domain, positive_int
from cutover.mirror.outbox import outbox_repair_pending
from cutover.operations.requeue import dead_letter_counts


class Command(ProjectCommand):
    help = (
        "Retry pending mirror writes from the outbox now (the scheduled repair task runs the same). "
        "Prints how many were repaired, failed again, dead-lettered or skipped (Mongo breaker open). "
        "Dead entries are not retried: `requeue_dead_letters` puts them back to pending."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--domain", type=known_domain, help="only this domain")
        parser.add_argument("--limit", type=positive_int, default=500, help="entries per chunk (default 500)")

    def handle(self, *args, domain: str | None, limit: int, **options) -> None:
        total = None
        while True:
            report = outbox_repair_pending(domain=domain, limit=limit)
            total = report if total is None else _add(total, report)
            if report.repaired + report.failed + report.skipped < limit or report.repaired == 0:
                break
        self.stdout.write(
            f"repaired {total.repaired}, failed {total.failed}, dead {total.dead}, skipped {total.skipped}"
        )
        waiting = dead_letter_counts()
        waiting = waiting.get(domain, 0) if domain else sum(waiting.values())
        if waiting:
            self.stdout.write(
                f"{waiting} dead entr{'y' if waiting == 1 else 'ies'} in the outbox, never retried: fix the cause, "
                f"then `manage.py requeue_dead_letters {f'--domain {domain}' if domain else '--all'} --user YOU "
                "--reason '...'`"
            )


def _add(a, b):
    return type(a)(**{field: getattr(a, field) + getattr(b, field) for field in vars(a)})
