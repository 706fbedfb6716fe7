"""A circuit breaker per process for the Mongo mirror.

While Mongo is down, every mirror attempt would wait out the pymongo timeout.
After CUTOVER_BREAKER_FAILURES consecutive connection failures the breaker
opens: attempts are skipped (their outbox rows wait for the repair task) until
the cooldown has passed, when one trial attempt is let through.
"""

import threading
import time

from django.conf import settings


class CircuitBreaker:
    def __init__(self, name: str):
        self.name = name
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    def allow(self) -> bool:
        with self._lock:
            if self._opened_at is None:
                return True
            if self._trial_running:
                return False
            if time.monotonic() - self._opened_at >= settings.CUTOVER_BREAKER_COOLDOWN_SECONDS:
                self._trial_running = True  # half-open: one caller tries
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_running = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            self._trial_running = False
            if self._failures >= settings.CUTOVER_BREAKER_FAILURES:
                self._opened_at = time.monotonic()

    def retry_in(self) -> float:
        """Seconds until a trial attempt may pass; 0 when closed or the cooldown is over."""
        with self._lock:
            if self._opened_at is None:
                return 0.0
            elapsed = time.monotonic() - self._opened_at
            return max(0.0, settings.CUTOVER_BREAKER_COOLDOWN_SECONDS - elapsed)

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._opened_at is not None

    def reset(self) -> None:
        self.record_success()


mongo_breaker = CircuitBreaker("mongo")
