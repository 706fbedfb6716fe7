"""The one settings module, driven by environment variables (django-environ).

Nothing here is production-only: every difference between a laptop and
production is an environment variable. A bad value stops startup with a
message that names the variable and what it accepts.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from cutover.modes.store_mode import LEGACY_FLAG, parse_store_mode
from cutover.scheduled.schedule import ScheduledTask, beat_schedule

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional local overrides; never committed

DATA_DIR = Path(env.str("ESCROW_DATA_DIR", default=str(BASE_DIR / ".data")))


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = env.str(name, default=default).strip().lower()
    if value not in allowed:
        raise ImproperlyConfigured(f"{name}={value!r} is not allowed; expected one of: {', '.join(allowed)}")
    return value


DEBUG = env.bool("DEBUG", default=False)
# The fallback key only exists so a fresh checkout starts; production sets SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-set-SECRET_KEY-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "cutover",
    "accounts",
    "marketplace",
    "payments",
    "ledger",
    "trezor",
    "notifications",
    "disputes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "escrow_project.urls"
WSGI_APPLICATION = "escrow_project.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# --- PostgreSQL -------------------------------------------------------------
# No DATABASE_URL: an embedded PostgreSQL under DATA_DIR/pg, started on the
# first connection by the embedded_pg backend and left running for later commands.
EMBEDDED_POSTGRES = "DATABASE_URL" not in env
if EMBEDDED_POSTGRES:
    DATABASES = {
        "default": {
            "ENGINE": "escrow_project.embedded_pg",
            "NAME": "escrow",
            "OPTIONS": {"pgdata": str(DATA_DIR / "pg")},
        }
    }
else:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- MongoDB (the legacy store) --------------------------------------------
# No MONGO_URL: an embedded stand-in (litemongo: mongomock over SQLite files)
# under DATA_DIR/mongo, shared by every process. `mongomock://NAME` is an
# in-memory store for tests. Anything else goes to pymongo unchanged.
EMBEDDED_MONGO = "MONGO_URL" not in env
MONGO_URL = env.str("MONGO_URL", default=f"litemongo://{DATA_DIR / 'mongo'}")
MIGRATION_MONGO_URL = env.str("MIGRATION_MONGO_URL", default="")  # backfill source; empty: MONGO_URL
MONGO_DB_NAME = env.str("MONGO_DB_NAME", default="escrow")
# auto: use Mongo where a domain's mode needs it; required: health fails
# without it; disabled: any use of Mongo is an error (all domains postgres).
MONGO_CONNECT_MODE = _choice("MONGO_CONNECT_MODE", ("auto", "required", "disabled"), "auto")
# How long an operation waits for a usable server (pymongo's serverSelectionTimeoutMS; sockets get 4x).
# Longer than a replica-set election (typically under 12 s), so a normal failover delays requests instead
# of failing them; the mirror path does not wait that long on every write: its circuit breaker opens after
# a few failures. Backfill, verify and index builds use their own client without a socket timeout.
MONGO_TIMEOUT_MS = env.int("MONGO_TIMEOUT_MS", default=15000)

# --- Cutover ----------------------------------------------------------------
# The domain registry: the DomainSpec of each store domain (imported lazily), in SCHEMA.md's
# backfill order (parents before children). Adding a domain: README, "Adding a domain".
CUTOVER_DOMAINS = [
    "accounts.domain.AUTH_DOMAIN",
    "marketplace.domain.MARKETPLACE_DOMAIN",
    "payments.domain.PAYMENT_DOMAIN",
    "ledger.domain.LEDGER_DOMAIN",
    "payments.domain.DESTINATION_DOMAIN",
    "trezor.domain.TREZOR_DOMAIN",
    "notifications.domain.NOTIFICATION_DOMAIN",
    "disputes.domain.DISPUTE_DOMAIN",
    "accounts.domain.ADDRESS_DOMAIN",
]
# The legacy backend's per-domain flags set in the environment (AUTH_STORE=dual, REPO_TREZOR=mongo, ...):
# each seeds its domain's first mode (the domain whose DomainSpec.flag it is). A value that is not a mode
# is refused here; a flag that no registered domain claims is refused at start-up (cutover.apps).
try:
    CUTOVER_FLAG_MODES = {
        name: parse_store_mode(value, source=name).value
        for name, value in sorted(os.environ.items())
        if LEGACY_FLAG.fullmatch(name)
    }
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from None
# How long a process trusts its cached modes; an admin change reaches every
# process within this many seconds (at most one query per process per period).
CUTOVER_MODE_CACHE_SECONDS = env.float("CUTOVER_MODE_CACHE_SECONDS", default=2.0)
# How a `dual` write reaches Mongo after commit (the outbox row makes every way durable):
# background: a thread in the same process (no extra process to run; its CPU competes
#   with requests); relay: a separate `manage.py mirror_relay` process woken by
#   NOTIFY, recommended in production; inline: in the request itself (tests, scripts).
CUTOVER_MIRROR = _choice("CUTOVER_MIRROR", ("background", "relay", "inline"), "background")
CUTOVER_BREAKER_FAILURES = env.int("CUTOVER_BREAKER_FAILURES", default=3)
CUTOVER_BREAKER_COOLDOWN_SECONDS = env.float("CUTOVER_BREAKER_COOLDOWN_SECONDS", default=10.0)
CUTOVER_OUTBOX_MAX_ATTEMPTS = env.int("CUTOVER_OUTBOX_MAX_ATTEMPTS", default=12)
# A purge batch (cutover.scheduled.purge) is sized to take about this long: the longest any batch holds its rows.
CUTOVER_PURGE_BATCH_SECONDS = env.float("CUTOVER_PURGE_BATCH_SECONDS", default=0.01)
# `backfill --via-celery` gives up (and releases the domain lock) when no worker takes a shard this soon.
CUTOVER_BACKFILL_WORKER_WAIT_SECONDS = env.float("CUTOVER_BACKFILL_WORKER_WAIT_SECONDS", default=60.0)

# --- Celery / Redis -----------------------------------------------------------
# Requests never touch Redis, so the app keeps serving when it is down; the
# scheduled jobs simply run again (and catch up) once it is back.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 3600
# JSON only: no pickled objects cross the broker.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks that are safe to repeat set acks_late themselves; a worker takes one task at a time,
# so a long purge does not hold others it has prefetched.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With acks_late, Redis re-delivers a task not acked within the visibility timeout: it must be
# longer than the longest task's hard time limit (the notification purge's 31 minutes).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3 * 3600}
CELERY_TASK_TIME_LIMIT = 3600  # a ceiling for any task that sets none

# The whole periodic schedule, in one place: name -> job, interval, time limit. One Celery task is made
# of each (cutover.scheduled.tasks), run under a lock and recorded; beat's schedule is derived below.
SCHEDULED_TASKS = {
    "accounts.purge_expired_telegram_sessions": ScheduledTask(
        job="accounts.services.purge_expired_telegram_sessions", every_seconds=60, time_limit_seconds=240
    ),
    "accounts.purge_expired_temp_verifications": ScheduledTask(
        job="accounts.services.purge_expired_temp_verifications", every_seconds=300, time_limit_seconds=240
    ),
    # Hourly, with room for the backlog an outage leaves.
    "notifications.purge_old_notifications": ScheduledTask(
        job="notifications.services.purge_old_notifications", every_seconds=3600, time_limit_seconds=1800
    ),
    "cutover.repair_mirror_outbox": ScheduledTask(
        job="cutover.mirror.outbox.repair_pending_count", every_seconds=60, time_limit_seconds=50
    ),
}
CELERY_BEAT_SCHEDULE = beat_schedule(SCHEDULED_TASKS)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "cutover": {"handlers": ["console"], "level": env.str("CUTOVER_LOG_LEVEL", default="INFO")},
        "escrow_project": {"handlers": ["console"], "level": "INFO"},
        "embedded_postgres": {"handlers": ["console"], "level": "WARNING"},
    },
}
