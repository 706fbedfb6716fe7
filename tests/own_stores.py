"""A Redis and a PostgreSQL of a test's own, which the test may stop and start again (a store restart).

Never the machine's shared servers: each listens on a free port of OWN_STORE_PORTS (default 18300-18399),
keeps its files under a temporary directory and is stopped when the test ends. PostgreSQL refuses to run
as root, so as root `initdb` and the server run as the `postgres` system user. Without redis-server or
initdb the test is skipped, except in CI (CI=true), where it fails: a restart test that never runs proves
nothing.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")


def _require(program: str, dirs: tuple[str, ...] = ()) -> str:
    found = shutil.which(program) or next((f"{d}/{program}" for d in dirs if os.path.exists(f"{d}/{program}")), None)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{program} is not installed: the store restart tests need it")
    pytest.skip(f"{program} is not installed")


def free_port() -> int:
    low, high = (int(part) for part in os.environ.get("OWN_STORE_PORTS", "18300-18399").split("-"))
    for port in range(low, high + 1):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


def wait_for_port(port: int, *, up: bool, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            answered = probe.connect_ex(("127.0.0.1", port)) == 0
        if answered == up:
            return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} still {'closed' if up else 'open'} after {timeout} s")


class OwnRedis:
    """redis-server on a free port, without persistence: a restart loses everything, like a new instance."""

    def __init__(self, directory: Path):
        self.binary = _require("redis-server")
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, up=True)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        wait_for_port(self.port, up=False)


class OwnPostgres:
    """A PostgreSQL cluster on a free port with password (scram) authentication over TCP. Its bootstrap
    superuser `admin` (password `admin`) sets up roles and databases; tests log in as the roles they make."""

    superuser = "admin"

    def __init__(self, directory: Path):
        self.initdb = _require("initdb", PG_BIN_DIRS)
        self.pg_ctl = _require("pg_ctl", PG_BIN_DIRS)
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self._init()

    def _run(self, command: list[str]) -> None:
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def _init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        password_file = self.directory / "pw"
        password_file.write_text(self.superuser)
        if self.as_root:
            shutil.chown(self.directory, "postgres")
            shutil.chown(password_file, "postgres")
        self._run(
            [self.initdb, "-D", str(self.data), "-U", self.superuser, f"--pwfile={password_file}",
             "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8"]
        )  # fmt: skip

    def url(self, user: str, password: str, database: str = "postgres") -> str:
        return f"postgres://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.directory}"
        self._run([self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"), "-w", "start"])
        wait_for_port(self.port, up=True)

    def stop(self, mode: str = "fast") -> None:
        self._run([self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop"])
        wait_for_port(self.port, up=False)

    def execute(self, *statements: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(self.superuser, self.superuser, database), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_postgres():
    # Not pytest's tmp_path: its base directory is 0700 and the postgres system user must reach the files.
    directory = Path(tempfile.mkdtemp(prefix="own-pg-", dir=os.environ.get("OWN_STORE_TMP")))
    os.chmod(directory, 0o755)
    server = OwnPostgres(directory / "cluster")
    server.start()
    yield server
    server.stop("immediate")
    shutil.rmtree(directory, ignore_errors=True)
