import signal
import threading

from django.core.management.base import CommandParser

from cutover.management.arguments import ProjectCommand, positive_float
from cutover.mirror.relay import run_mirror_relay


class Command(ProjectCommand):
    help = (
        "Run the mirror relay: mirror each dual write to the secondary store as soon as it commits "
        "(use with CUTOVER_MIRROR=relay). Stops cleanly on SIGTERM or Ctrl-C; whatever it has not "
        "mirrored stays in the outbox for the next relay or the repair task."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--idle-seconds",
            type=positive_float,
            default=5.0,
            help="wake up at least this often to retry due entries (default 5)",
        )

    def handle(self, *args, idle_seconds: float, **options) -> None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        run_mirror_relay(stop=stop, idle_seconds=idle_seconds)
