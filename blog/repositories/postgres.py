"""Blog posts in PostgreSQL."""

from cutover.backends.postgres import PostgresBackend

from .base import BlogRepository


class PostgresBlogRepository(PostgresBackend, BlogRepository):
    MODELS = {"blogs": "blog.BlogPost"}
