import redis
from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from cutover.management.arguments import ProjectCommand


class Command(ProjectCommand):
    help = (
        "Run scheduled tasks now, in this process, exactly as the beat would have a worker run them: under the "
        "task's Redis lock, and recorded as its last run (admin: Scheduled task runs). Names are the keys of "
        "settings.SCHEDULED_TASKS; --all runs each once. For a first deployment or after an outage; production runs "
        "them from `celery beat`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="scheduled task names (settings.SCHEDULED_TASKS)")
        parser.add_argument("--all", action="store_true", help="every entry of the schedule")

    def handle(self, *args, names: list[str], all: bool, **options) -> None:
        schedule = settings.CELERY_BEAT_SCHEDULE
        if all == bool(names):
            raise CommandError(f"name the entries to run, or pass --all (not both); entries: {', '.join(schedule)}")
        unknown = [name for name in names if name not in schedule]
        if unknown:
            raise CommandError(f"no schedule entry {', '.join(unknown)}; entries: {', '.join(schedule)}")
        from escrow_project.celery import app

        app.loader.import_default_modules()
        for name in names or list(schedule):
            try:
                result = app.tasks[schedule[name]["task"]]()  # the task's body, here, under its lock
            except redis.RedisError as error:
                raise CommandError(f"{name}: Redis (REDIS_URL) does not answer, nothing ran: {error}") from None
            self.stdout.write(f"{name}: {result['outcome']}, count {result['count']}, {result['seconds']:.2f} s")
