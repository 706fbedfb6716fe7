"""Tests here write legacy documents with the backfill tests' fixture (tests/backfill/conftest.py)."""

from tests.backfill.conftest import legacy  # noqa: F401
