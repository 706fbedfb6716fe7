"""Progress of a long pass: a bar on a terminal, a plain line every few seconds otherwise."""

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, label: str, total: int, stream: TextIO | None = None, every_seconds: float = 5.0):
        self.label, self.total = label, max(total, 0)
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.every = every_seconds
        self.started = self.last_line = time.monotonic()
        self.done = 0

    def update(self, done: int) -> None:
        self.done = done
        now = time.monotonic()
        if self.tty:
            self.stream.write("\r" + self._line(now))
            self.stream.flush()
        elif now - self.last_line >= self.every:
            self.stream.write(self._line(now) + "\n")
            self.last_line = now

    def finish(self) -> None:
        self.stream.write(("\r" if self.tty else "") + self._line(time.monotonic()) + "\n")
        self.stream.flush()

    def _line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        total = max(self.total, self.done)
        eta = (total - self.done) / rate if rate > 0 else 0.0
        if self.tty:
            filled = int(30 * self.done / total) if total else 30
            bar = "#" * filled + "-" * (30 - filled)
            return f"{self.label:28} [{bar}] {self.done:,}/{total:,} {rate:,.0f}/s ETA {eta:,.0f}s"
        return f"{self.label}: {self.done:,}/{total:,} documents, {rate:,.0f}/s, ETA {eta:,.0f}s"
