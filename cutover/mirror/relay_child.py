"""The background mirror's relay process: one per app process, so the mirror's CPU is not the requests'.

Why a process: the mirror's work is Python (reading the rows, building each document, the Mongo
driver's encoding or, for litemongo, mongomock's whole write). As a thread of the web process it held
the GIL the request threads wait for; a child process running the relay loop (cutover.mirror.relay,
woken by the outbox NOTIFY) mirrors on the machine's other core instead. bench/dual_write.py measures
both; README.md ("Mirror writes in production") has the figures. It costs a Django process per app
process (about 90 MB resident).

How it behaves, whatever is done to it:
- started by the first write that needs it, in each process: a forked process (gunicorn, celery
  prefork) starts its own, never uses its parent's;
- it stops within about half a second of its parent's death (even by SIGKILL, even mid-burst): it polls its
  parent pid and, after a short grace, exits where it is (mirror_relay --parent-pid);
- a child that died is started again by the next write, at most once per RESTART_SECONDS;
- it is never needed for durability: whatever it did not mirror stays pending in the outbox, and the
  next child (which starts with everything due), another process's child, a `mirror_relay` or the
  repair task mirrors it.
It needs a Mongo store every process sees (a MongoDB server, litemongo files): `mongomock://` lives in
one process's memory, so there the thread stays (cutover.mirror.dispatch).
"""

import logging
import os
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection
from django.utils import timezone

from cutover.models import MirrorOutboxEntry

logger = logging.getLogger("cutover.mirror.relay_child")
RESTART_SECONDS = 5.0  # a child that keeps dying (a bad setting) is not restarted for every write
# When the cores are busy the requests get them first and the mirror's lag gives (in larger bursts). On this
# 2-core machine it did not move the median measurably (one A/B: 1.19x niced, 1.17x not, relay 1.22x).
NICENESS = 10
_IDLE_SECONDS = 1.0  # the child's idle wake-up: retries come due, its parent may be gone
_DRAIN_POLL_SECONDS = 0.01


class RelayChild:
    """The relay process of the calling process (not thread-safe: the dispatcher holds its lock)."""

    def __init__(self) -> None:
        self.env: dict[str, str] = {}  # overrides for the child's environment (tests: their database)
        self._process: subprocess.Popen | None = None
        self._pid = 0
        self._started_at = float("-inf")

    def ensure_running(self) -> None:
        if self.pid is not None:
            return
        if self._pid == os.getpid():
            if time.monotonic() - self._started_at < RESTART_SECONDS:
                return  # gone (or never started) moments after its start: the outbox keeps the writes meanwhile
            if self._process is not None:
                logger.warning("mirror relay child exited with %s; starting another", self._process.returncode)
        self._start()

    def _start(self) -> None:
        self._pid, self._started_at = os.getpid(), time.monotonic()
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "mirror_relay"]
        command += ["--parent-pid", str(os.getpid()), "--idle-seconds", str(_IDLE_SECONDS), "--nice", str(NICENESS)]
        command += ["--parent-database", database_identity(connection.settings_dict)]
        env = {**os.environ, "CUTOVER_MIRROR": "relay", "MONGO_URL": settings.MONGO_URL, **self.env}
        try:
            self._process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)  # our cwd: same relative paths
        except OSError as error:  # runs after the write committed: the caller must not see it fail
            logger.error("could not start the mirror relay child (%s); the outbox keeps the writes", error)

    @property
    def pid(self) -> int | None:
        """The child's pid while it runs (a forked process's parent's child is not its own)."""
        running = self._process is not None and self._pid == os.getpid() and self._process.poll() is None
        return self._process.pid if running else None

    def stop(self, timeout: float) -> bool:
        if self.pid is None:
            return True
        self._process.terminate()  # the relay finishes the burst in hand, then exits
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        self._process, self._started_at = None, float("-inf")  # stopped, not dead: the next write starts one
        return True


def database_identity(settings_dict: dict) -> str:
    """The database a connection's settings name, as parent and child compare it: the child reads its own
    from DATABASE_URL, which may name another one than its parent uses (settings changed in the parent, a
    test run's test database), and would then mirror that database's outbox into its parent's Mongo."""
    return f"{settings_dict['NAME']} on {settings_dict.get('HOST') or 'localhost'}:{settings_dict.get('PORT') or 5432}"


def wait_until_mirrored(last_entry_id: int, timeout: float) -> bool:
    """Until no entry up to `last_entry_id` is pending and due (what waits for a retry is not ours to
    wait for). True if that happened within `timeout`."""
    deadline = time.monotonic() + timeout
    pending = MirrorOutboxEntry.objects.filter(id__lte=last_entry_id, status=MirrorOutboxEntry.Status.PENDING)
    while pending.filter(next_attempt_at__lte=timezone.now()).exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(_DRAIN_POLL_SECONDS)
    return True
