#!/usr/bin/env bash
# One command on a fresh machine: install, start the embedded stores (or use
# DATABASE_URL / MONGO_URL if set), migrate, seed a legacy data set into Mongo,
# backfill it into Postgres, verify parity, and show the store modes.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install.sh
PY=.venv/bin/python
$PY manage.py migrate --verbosity 0
$PY manage.py ensure_mongo_indexes >/dev/null
$PY manage.py seed_demo --size "${SIZE:-50}"
$PY manage.py backfill --all
$PY manage.py verify --all
$PY manage.py store_mode
cat <<'MSG'

Next:
  .venv/bin/python manage.py createsuperuser     # an admin who may flip store modes
  .venv/bin/python manage.py runserver           # then open http://127.0.0.1:8000/admin/ -> Cutover dashboard
  .venv/bin/python manage.py store_mode dispute  # its next steps, what blocks each (with commands), its checklist
  .venv/bin/python manage.py store_mode dispute --to dual_mongo_primary --user <you> --reason "..."
MSG
