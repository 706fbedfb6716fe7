#!/usr/bin/env bash
# Install (if needed) and run the test suite. Tests use DATABASE_URL when set,
# else the embedded PostgreSQL under .data/; Mongo is mongomock (no MongoDB here).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
