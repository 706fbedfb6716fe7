"""The guarantee tests reuse the backfill tests' legacy-document fixture."""

from tests.backfill.conftest import legacy  # noqa: F401
