"""Peak resident memory of a block of code, sampled from /proc (no tracing overhead)."""

import os
import threading


def rss_bytes() -> int:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    def __init__(self, every_seconds: float = 0.01):
        self.every = every_seconds
        self.start = self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> "PeakRss":
        self.start = self.peak = rss_bytes()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, rss_bytes())

    @property
    def above_start_mb(self) -> float:
        return (self.peak - self.start) / 2**20
