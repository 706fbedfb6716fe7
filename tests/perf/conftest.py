from tests.backfill.conftest import legacy  # noqa: F401
