"""Run `manage.py mirror_relay` as a separate process against the benchmark's database."""

import os
import signal
import subprocess
import sys
import time
from urllib.parse import quote

from common import ROOT


def database_url_of_this_process() -> str:
    """A DATABASE_URL for the database Django is using now (the scratch one)."""
    from django.db import connection

    params = connection.get_connection_params()
    host = quote(str(params.get("host") or "127.0.0.1"), safe="")
    port = params.get("port") or 5432
    return f"postgres://{params.get('user') or 'postgres'}@{host}:{port}/{params['dbname']}"


class RelayProcess:
    def __init__(self, *, mongo_url: str):
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url_of_this_process(),
            "MONGO_URL": mongo_url,
            "CUTOVER_MIRROR": "relay",
            "CUTOVER_LOG_LEVEL": "ERROR",
            "MONGO_TIMEOUT_MS": "300",
            "CUTOVER_BREAKER_COOLDOWN_SECONDS": "3600",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> "RelayProcess":
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "mirror_relay", "--idle-seconds", "0.5"],
            cwd=ROOT,
            env=self.env,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(2.0)  # Django start-up and LISTEN
        return self

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
