"""Disputes in PostgreSQL: a row per dispute, child rows for timeline and evidence."""

from cutover.backends.postgres import PostgresBackend

from .base import DisputeRepository


class PostgresDisputeRepository(PostgresBackend, DisputeRepository):
    MODELS = {"disputes": "disputes.Dispute"}
