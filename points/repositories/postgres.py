"""Point transactions in PostgreSQL."""

from cutover.backends.postgres import PostgresBackend

from .base import PointsRepository


class PostgresPointsRepository(PostgresBackend, PointsRepository):
    MODELS = {"pointtransactions": "points.PointTransaction"}
