#!/usr/bin/env bash
# One command on a fresh machine, from a legacy Mongo data set to Mongo optional:
# install; mark this machine a developer's (.env: the embedded stores serve a missing DATABASE_URL or
# MONGO_URL); start the embedded stores (and a Redis if none answers); migrate; seed a legacy data set into
# Mongo; walk every domain to postgres (dual_mongo_primary, backfill, verify, dual, postgres); run the
# scheduled tasks once; start the server; then cutover_check, health and the smoke script against it.
# The server keeps running at the end (its pid is in .data/server.pid).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install.sh
PY=.venv/bin/python
PORT="${PORT:-8000}"
BASE_URL="http://127.0.0.1:$PORT"
mkdir -p .data

if ! grep -qs '^ESCROW_STORE_DEFAULTS=' .env; then
  printf '# A developer machine: a missing DATABASE_URL or MONGO_URL means the embedded stores (settings.py)\nESCROW_STORE_DEFAULTS=embedded\n' >> .env
fi

if ! $PY -c "import os, redis; redis.Redis.from_url(os.environ.get('REDIS_URL', 'redis://127.0.0.1:6379/0'), socket_connect_timeout=1).ping()" 2>/dev/null; then
  if [ -n "${REDIS_URL:-}" ] || ! command -v redis-server >/dev/null; then
    echo "No Redis answers at ${REDIS_URL:-redis://127.0.0.1:6379/0}: start one (the scheduled tasks need it)." >&2
    exit 1
  fi
  mkdir -p .data/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir "$PWD/.data/redis" \
    --logfile "$PWD/.data/redis/redis.log"
  for _ in $(seq 30); do $PY -c "import redis; redis.Redis(socket_connect_timeout=1).ping()" 2>/dev/null && break; sleep 0.5; done
fi

$PY manage.py migrate --verbosity 0
$PY manage.py ensure_mongo_indexes >/dev/null
$PY manage.py seed_demo --size "${SIZE:-50}"

# An operator for the mode changes and the smoke test; a fresh password each run, never written down.
SMOKE_USERNAME="${SMOKE_USERNAME:-quickstart}"
SMOKE_PASSWORD="$($PY -c 'import secrets; print(secrets.token_urlsafe(18))')"
export SMOKE_USERNAME SMOKE_PASSWORD
$PY manage.py shell -c "
import os
from django.contrib.auth import get_user_model
user, _ = get_user_model().objects.get_or_create(username=os.environ['SMOKE_USERNAME'])
user.is_staff = user.is_superuser = True
user.set_password(os.environ['SMOKE_PASSWORD'])
user.save()
"

# A demo has no traffic to soak: no sampled reads needed, one second in dual (README, "Backfill and verify": the soak).
CUTOVER_SOAK_SECONDS=1 CUTOVER_SOAK_MIN_READS=0 $PY manage.py cutover_all --user "$SMOKE_USERNAME" --reason "quickstart: the whole legacy plan on demo data"
$PY manage.py run_scheduled_task --all
$PY manage.py store_mode

if [ -f .data/server.pid ] && kill -0 "$(cat .data/server.pid)" 2>/dev/null; then
  kill "$(cat .data/server.pid)"  # the server an earlier quickstart left running
fi
nohup $PY manage.py runserver "127.0.0.1:$PORT" --noreload > .data/server.log 2>&1 &
echo $! > .data/server.pid
for _ in $(seq 60); do curl -fsS "$BASE_URL/api/health" >/dev/null 2>&1 && break; sleep 0.5; done

echo
$PY manage.py cutover_check
echo
curl -sS "$BASE_URL/api/health" | $PY -c "import json, sys; h = json.load(sys.stdin); print('health:', h['status'], '| mongo:', h['mongo'])"
$PY scripts/smoke.py "$BASE_URL" --expect-mongo optional

cat <<MSG

Every domain is on postgres and MongoDB is optional. The server runs at $BASE_URL (pid $(cat .data/server.pid);
stop it with: kill \$(cat .data/server.pid)). Health: $BASE_URL/api/health
No Celery worker or beat runs: the scheduled purges and the mirror repair ran once just now and no more, so in
about three minutes cutover_check and the dashboard report them late ("Purge freshness": no success for two
intervals plus a minute). For the schedule on this machine, run a worker with the beat inside it (development):
  .venv/bin/celery -A escrow_project worker -B -l INFO -s .data/celerybeat-schedule
A server runs web, worker, beat and relay as services: deploy/compose.yaml or deploy/systemd (README, Deployment).
Next:
  .venv/bin/python manage.py createsuperuser     # your own admin (the quickstart user's password is gone)
  open $BASE_URL/admin/ → Cutover dashboard
  .venv/bin/python manage.py store_mode dispute  # its next steps, what blocks each (with commands), its checklist
  SMOKE_USERNAME=<you> SMOKE_PASSWORD=... .venv/bin/python scripts/smoke.py $BASE_URL
MSG
