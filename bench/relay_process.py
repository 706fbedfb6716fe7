"""Run `manage.py mirror_relay` as a separate process against the benchmark's database."""

import os
import signal
import subprocess
import sys
import time

from common import ROOT


class RelayProcess:
    def __init__(self, *, mongo_url: str):
        from cutover.testing import database_url_for_other_processes  # Django is set up by now

        self.env = {
            **os.environ,
            "DATABASE_URL": database_url_for_other_processes(),
            "MONGO_URL": mongo_url,
            "CUTOVER_MIRROR": "relay",
            "CUTOVER_LOG_LEVEL": "ERROR",
            "MONGO_TIMEOUT_MS": "300",
            "CUTOVER_BREAKER_COOLDOWN_SECONDS": "3600",
        }
        self.process: subprocess.Popen | None = None

    def env_for_background_child(self) -> dict[str, str]:
        """What the background mirror's relay child needs beyond its parent's environment: this database."""
        return {name: self.env[name] for name in ("DATABASE_URL", "CUTOVER_LOG_LEVEL", "MONGO_TIMEOUT_MS")}

    def start(self) -> "RelayProcess":
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "mirror_relay", "--idle-seconds", "0.5"],
            cwd=ROOT,
            env=self.env,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(4.0)  # Django start-up and LISTEN, so its start-up CPU is not inside the timed phase
        return self

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
