#!/usr/bin/env bash
# Install (if needed) and run the test suite. Tests use DATABASE_URL when set,
# else the embedded PostgreSQL under .data/; Mongo is mongomock (no MongoDB here).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# A developer tool: the embedded defaults serve it when DATABASE_URL / MONGO_URL are unset (settings.py).
ESCROW_STORE_DEFAULTS="${ESCROW_STORE_DEFAULTS:-embedded}" .venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
