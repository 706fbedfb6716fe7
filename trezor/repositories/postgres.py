"""Trezor accounts in PostgreSQL, derived addresses as child rows."""

from cutover.backends.postgres import PostgresBackend

from .base import TrezorRepository


class PostgresTrezorRepository(PostgresBackend, TrezorRepository):
    MODELS = {"trezoraccounts": "trezor.TrezorAccount"}
