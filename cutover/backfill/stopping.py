"""Why a long pass stops at its next batch boundary: its --max-minutes deadline, a signal, or an operator
(cutover.backfill.control, which throttles it there too).

Ctrl-C (SIGINT) and SIGTERM do not kill a backfill or verify mid-batch: the first one is noted and the
pass stops where a batch committed with its checkpoint, so the same command resumes there; a second
one is the operator insisting, and interrupts at once as the signal would (nothing is lost either way:
each batch commits with its checkpoint). The exit status is the shell's for the signal (128 + its
number: 130, 143), so a supervisor tells an interrupted run from a finished or failed one."""

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

from cutover.backfill.control import current_control

DEADLINE = "max-minutes"  # the reason of a stop at the --max-minutes deadline
EXIT_STATUS = {"SIGINT": 128 + signal.SIGINT, "SIGTERM": 128 + signal.SIGTERM}

_noted: list[str] = []  # the signals received while `stop_on_signals` is in force, in order


class Interrupted(Exception):
    """A pass that cannot resume part way (verify) stops with this at a boundary; str() says where."""

    def __init__(self, where: str, signal_name: str):
        super().__init__(where)
        self.where, self.signal_name = where, signal_name


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While in force, SIGINT and SIGTERM ask the passes to stop at their next batch boundary."""
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}

    def note(number, frame) -> None:
        name = signal.Signals(number).name
        if _noted:  # the second one: stop now, as the signal's default would
            signal.signal(number, previous[number])
            signal.raise_signal(number)
            return
        _noted.append(name)

    for number in previous:
        signal.signal(number, note)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _noted.clear()


def interruption() -> str | None:
    """The name of the signal that asked this process to stop ("SIGINT", "SIGTERM"), or None."""
    return _noted[0] if _noted else None


def stop_reason(deadline: float | None, clock=time.monotonic, *, done: int | None = None) -> str:
    """Why the pass stops before its next batch ("" to go on): a signal, the passed deadline, else an
    operator's pause or cancel (the run's control, which also throttles here; `done`: rows so far)."""
    if _noted:
        return _noted[0]
    if deadline and clock() >= deadline:
        return DEADLINE
    control = current_control()
    return control.at_boundary(done) if control is not None and done is not None else ""


def start_collection(name: str, total) -> None:
    """A pass begins `name`; `total()` counts its rows, asked only when the run is under control."""
    if (control := current_control()) is not None:
        control.start_collection(name, total())


def batch_size(asked: int) -> int:
    """The next batch's size: `asked`, or what the run's throttle makes of it."""
    control = current_control()
    return control.batch(asked) if control is not None else asked
