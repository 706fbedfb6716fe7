"""Two parties racing through one critical point: the first stops there until the second has started.

`CriticalPoint.wrap(function)` returns `function` with a stop after it: its first caller waits there (up to
`hold_seconds`) for a second caller to reach the same point; the second goes straight on. A lock taken before
the point keeps the second caller from ever reaching it while the first holds it, so the first goes on after
`hold_seconds` and the two run one after the other; without the lock both are inside at once.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


class CriticalPoint:
    def __init__(self, hold_seconds: float = 1.0):
        self.hold_seconds = hold_seconds
        self.first_arrived, self.second_arrived = threading.Event(), threading.Event()

    def wrap(self, function: Callable) -> Callable:
        def stopping_after(*args, **kwargs) -> Any:
            result = function(*args, **kwargs)
            if not self.first_arrived.is_set():
                self.first_arrived.set()
                self.second_arrived.wait(self.hold_seconds)
            else:
                self.second_arrived.set()
            return result

        return stopping_after


def race(point: CriticalPoint, first: Callable[[], Any], second: Callable[[], Any], *, between=None) -> list:
    """Run `first` until it stops at `point`, then `between()` (if given) and `second`; wait for both. The
    errors either raised, in order (each party runs in a thread with its own database connection)."""
    errors: list[BaseException] = []

    def party(work: Callable[[], Any]) -> None:
        try:
            work()
        except BaseException as error:  # handed to the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=party, args=(first,))]
    threads[0].start()
    assert point.first_arrived.wait(10), "the first party never reached the critical point"
    if between is not None:
        between()
    threads.append(threading.Thread(target=party, args=(second,)))
    threads[1].start()
    for thread in threads:
        thread.join(30)
    return errors
