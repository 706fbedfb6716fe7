from tests.backfill.conftest import legacy  # noqa: F401  (the legacy-documents fixture)
