"""Ledger entries in PostgreSQL, where a trigger makes rows immutable."""

from cutover.backends.postgres import PostgresBackend

from .base import LedgerRepository


class PostgresLedgerRepository(PostgresBackend, LedgerRepository):
    MODELS = {"fundsledgerentries": "ledger.LedgerEntry"}
