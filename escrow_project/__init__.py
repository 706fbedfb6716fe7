"""escrow-cutover: moves the escrow marketplace backend from MongoDB to PostgreSQL."""

__version__ = "0.1.35"

# Celery's app is loaded with Django so that @shared_task binds to it.
from .celery import app as celery_app  # noqa: E402

__all__ = ("__version__", "celery_app")
