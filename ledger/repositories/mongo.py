"""Ledger entries in MongoDB; entries are inserted, never edited (MongoBackend's insert-only map)."""

from cutover.backends.mongo import MongoBackend

from .base import LedgerRepository


class MongoLedgerRepository(MongoBackend, LedgerRepository):
    pass
