import os
import signal
import threading
import time

import psycopg
from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError, connection

from cutover.management.arguments import ProjectCommand, first_line, positive_float, positive_int
from cutover.mirror.relay import run_mirror_relay_reconnecting
from cutover.mirror.relay_child import database_identity

# A relay child outlives its parent by at most about POLL + GRACE (README: "within about a second").
_PARENT_POLL_SECONDS = 0.1  # getppid() is one cheap system call
_ORPHAN_GRACE_SECONDS = 0.3  # to finish the copy in hand; then it exits, wherever it is


class Command(ProjectCommand):
    help = (
        "Run the mirror relay: mirror each dual write to the secondary store as soon as it commits "
        "(use with CUTOVER_MIRROR=relay). Rides out a PostgreSQL restart (listens again once it is back) and a "
        "Mongo outage (the entries wait in the outbox). Stops cleanly on SIGTERM or Ctrl-C; whatever it has not "
        "mirrored stays in the outbox for the next relay or the repair task."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--idle-seconds",
            type=positive_float,
            default=5.0,
            help="wake up at least this often to retry due entries (default 5)",
        )
        parser.add_argument(
            "--nice",
            type=int,
            default=0,
            help="add this to the relay's CPU niceness (0-19): beside web processes on a busy machine, the "
            "requests get the cores first and the mirror lags a little more (the background mirror's child: 10)",
        )
        parser.add_argument(
            "--parent-pid",
            type=positive_int,
            help="stop once the process with this pid is no longer this relay's parent (it died): the "
            "background mirror's relay child (cutover.mirror.relay_child) never outlives its app process",
        )
        parser.add_argument(
            "--parent-database",
            help="refuse to start unless this relay's database is this one (the relay child's parent's: see "
            "cutover.mirror.relay_child.database_identity), so it never mirrors another database's outbox",
        )

    def handle(
        self, *args, idle_seconds: float, nice: int, parent_pid: int | None, parent_database: str | None, **options
    ) -> None:
        if not 0 <= nice <= 19:
            raise CommandError(f"--nice must be 0-19, got {nice}", returncode=2)
        ours = database_identity(connection.settings_dict)  # from the settings: no connection yet
        if parent_database is not None and parent_database != ours:
            raise CommandError(
                f"this relay's database is {ours}, its parent's {parent_database} (DATABASE_URL differs between "
                f"them): it would mirror another database's outbox; not started",
                returncode=2,
            )
        os.nice(nice)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        if parent_pid is not None:
            threading.Thread(target=_stop_when_orphaned, args=(parent_pid, stop), daemon=True).start()
        try:
            run_mirror_relay_reconnecting(stop=stop, idle_seconds=idle_seconds)
        except (DatabaseError, psycopg.Error) as error:  # its listening connection is psycopg's own
            raise CommandError(f"mirror relay stopped: PostgreSQL: {first_line(error)}") from None


def _stop_when_orphaned(parent_pid: int, stop: threading.Event) -> None:
    """A dead parent (SIGKILL included) leaves its children to init or a subreaper: getppid() changes. The loop
    only sees `stop` between chunks, and a chunk of a busy outbox can take seconds against a real Mongo; so
    after a short grace the process exits where it is. That loses nothing: an entry it did not finish stays
    pending in the outbox (the copy is idempotent and takes its lock in the database) for the next relay."""
    while not stop.wait(_PARENT_POLL_SECONDS):
        if os.getppid() != parent_pid:
            stop.set()
            time.sleep(_ORPHAN_GRACE_SECONDS)
            os._exit(0)
