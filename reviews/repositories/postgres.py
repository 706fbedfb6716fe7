"""Reviews in PostgreSQL."""

from cutover.backends.postgres import PostgresBackend

from .base import ReviewRepository


class PostgresReviewRepository(PostgresBackend, ReviewRepository):
    MODELS = {"reviews": "reviews.Review"}
