"""A running backfill under control from outside its process (the cockpit, the CLI): pause, cancel, live
progress, and its throttle.

At each batch boundary the pass asks its control (`at_boundary`), which, at most once a POLL_SECONDS:
writes the run's live progress (per collection: done, total, rate, ETA) and reads whether an operator asked
it to pause or cancel (BackfillRun.requested, set by cutover.operations.backfill_control). The throttle:
- a maximum rate (rows/s): the pass sleeps until its average is under it;
- a target batch time: the batch size grows or shrinks (halving or growing by a quarter, within
  [MIN_BATCH, the size asked]) so that a batch takes about that long;
- the database's load: while more than CUTOVER_BACKFILL_BUSY_CONNECTIONS sessions of this database are
  active (pg_stat_activity, state 'active', the backfill's own excluded) the pass waits a second and
  looks again (a pause or cancel is still obeyed meanwhile). Active sessions are what a busy primary
  shows first; there is no replica here whose lag could be read.
"""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from cutover.models import BackfillRun

POLL_SECONDS = 1.0
BUSY_WAIT_SECONDS = 1.0
MIN_BATCH = 50


@dataclass
class Throttle:
    max_rate: float | None = None  # rows/s over the whole pass
    target_batch_seconds: float | None = None
    busy_connections: int | None = None  # None: settings.CUTOVER_BACKFILL_BUSY_CONNECTIONS (0: never waits)

    def busy_threshold(self) -> int:
        if self.busy_connections is not None:
            return self.busy_connections
        return settings.CUTOVER_BACKFILL_BUSY_CONNECTIONS


@dataclass
class _Collection:
    total: int
    started: float = field(default_factory=time.monotonic)
    done: int = 0


class RunControl:
    """The control of one run, in its process; `at_boundary` returns why to stop ("pause", "cancel") or ""."""

    def __init__(self, run: BackfillRun, throttle: Throttle | None = None, clock=time.monotonic, sleep=time.sleep):
        self.run, self.throttle = run, throttle or Throttle()
        self.clock, self.sleep = clock, sleep
        self.collections: dict[str, _Collection] = {}
        self.current = ""
        self.asked_batch_size: int | None = None  # the pass's --batch-size: the throttle's ceiling
        self.batch_size: int | None = None  # what the throttle makes of it now
        self.last_poll = self.last_boundary = 0.0
        self.waited_busy = 0.0

    def batch(self, asked: int) -> int:
        """The size of the next batch: `asked`, or less while batches take longer than the target."""
        if self.asked_batch_size != asked:
            self.asked_batch_size = self.batch_size = asked
        return self.batch_size

    def start_collection(self, name: str, total: int) -> None:
        self.collections[name] = _Collection(total=total, started=self.clock())
        self.current, self.last_boundary = name, self.clock()
        self._poll(force=True)

    def at_boundary(self, done: int) -> str:
        now = self.clock()
        state = self.collections.get(self.current)
        if state is None:
            return ""
        batch_seconds, self.last_boundary = now - self.last_boundary, now
        state.done = done
        self._fit_batch(batch_seconds)
        self._hold_to_rate(state)
        polled, reason = self._poll()
        while polled and not reason and self._database_busy():  # probed as often as polled: once a second
            self.waited_busy += BUSY_WAIT_SECONDS
            self.sleep(BUSY_WAIT_SECONDS)
            polled, reason = self._poll(force=True)  # a pause or cancel is obeyed while waiting
        self.last_boundary = self.clock()
        return reason

    def _fit_batch(self, seconds: float) -> None:
        target, size = self.throttle.target_batch_seconds, self.batch_size
        if not target or not size or seconds <= 0:
            return
        ceiling = self.asked_batch_size
        if seconds > target * 1.5:
            self.batch_size = max(MIN_BATCH, size // 2)
        elif seconds < target / 1.5:
            self.batch_size = min(ceiling, size + max(1, size // 4))

    def _hold_to_rate(self, state: _Collection) -> None:
        rate = self.throttle.max_rate
        if rate and state.done:
            ahead = state.done / rate - (self.clock() - state.started)
            if ahead > 0:
                self.sleep(ahead)

    def _database_busy(self) -> bool:
        threshold = self.throttle.busy_threshold()
        if threshold <= 0:
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0] > threshold

    def _poll(self, force: bool = False) -> tuple[bool, str]:
        """Write the live progress and read the operator's request, at most once a POLL_SECONDS: (whether
        it polled, the request: "pause", "cancel" or "")."""
        now = self.clock()
        if not force and now - self.last_poll < POLL_SECONDS:
            return False, ""
        self.last_poll = now
        progress = {name: self._figures(state, now) for name, state in self.collections.items()}
        BackfillRun.objects.filter(pk=self.run.pk).update(progress=progress)
        requested = BackfillRun.objects.filter(pk=self.run.pk).values_list("requested", flat=True).first()
        return True, requested or ""

    def _figures(self, state: _Collection, now: float) -> dict:
        elapsed = max(now - state.started, 1e-9)
        rate = state.done / elapsed
        total = max(state.total, state.done)
        eta = round((total - state.done) / rate, 1) if rate > 0 else None
        figures = {"done": state.done, "total": total, "rate": round(rate, 1), "eta_seconds": eta}
        if self.batch_size:
            figures["batch_size"] = self.batch_size
        if self.waited_busy:
            figures["waited_busy_seconds"] = self.waited_busy
        return figures


_current: list[RunControl] = []  # the control of the run this process is in (one at a time)
_opening: list[dict] = []  # the decision that starts the next run in this process (a cockpit task's)


def open_next_run_with(decision: dict | None) -> None:
    """Keep `decision` (who started it, why) on the next run this process opens, from its first moment
    (None forgets it: a start refused before its run opened must not lend its decision to a later run)."""
    _opening[:] = [decision] if decision else []


def current_control() -> RunControl | None:
    return _current[-1] if _current else None


class controlled:  # noqa: N801 (a context manager, used as `with controlled(run, throttle):`)
    def __init__(self, run: BackfillRun, throttle: Throttle | None):
        self.control = RunControl(run, throttle)

    def __enter__(self) -> RunControl:
        if _opening:
            BackfillRun.objects.filter(pk=self.control.run.pk).update(decisions=[_opening.pop()])
        _current.append(self.control)
        return self.control

    def __exit__(self, *exc) -> None:
        _current.remove(self.control)
