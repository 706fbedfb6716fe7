"""The one settings module, driven by environment variables (django-environ).

Nothing here is production-only: every difference between a laptop and
production is an environment variable. A bad value stops startup with a
message that names the variable and what it accepts.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from cutover.modes import parse_store_mode

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
    "rest_framework",
    "rest_framework.authtoken",
    "cutover",
    "accounts",
    "marketplace",
    "payments",
    "ledger",
    "trezor",
    "notifications",
    "disputes",
    "api",
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

# --- Developer machine or server: decided here, and only here ---------------
# The embedded stores below serve a developer's machine, the quickstart and the tests. A process may fall
# back to them for a missing DATABASE_URL or MONGO_URL only when ESCROW_STORE_DEFAULTS=embedded (the
# quickstart writes it into .env) or when it runs under pytest (which sets PYTEST_VERSION for the run and
# the processes it starts). Anywhere else, on a server, a missing URL stops start-up naming the variable:
# a server never quietly runs on a private embedded database of its own.
EMBEDDED_DEFAULTS = (
    _choice("ESCROW_STORE_DEFAULTS", ("embedded", "none"), "none") == "embedded" or "PYTEST_VERSION" in env
)

def _store_url_missing(name: str) -> bool:
    """True when `name` is unset and this is a developer's machine; unset on a server: an error."""
    if name in env:
        return False
    if EMBEDDED_DEFAULTS:
        return True
    raise ImproperlyConfigured(
        f"{name} is not set. A server needs {name} (see README, Real servers); on a developer's machine "
        f"run quickstart.sh, or put ESCROW_STORE_DEFAULTS=embedded in .env to use the embedded stores."
    )


# --- PostgreSQL -------------------------------------------------------------
# No DATABASE_URL on a developer's machine: an embedded PostgreSQL under DATA_DIR/pg, started on
# the first connection by the embedded_pg backend and left running for later commands.
EMBEDDED_POSTGRES = _store_url_missing("DATABASE_URL")
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
# The backfill's (and verify's) Postgres, as the legacy runbook names it; empty: the app's database.
MIGRATION_PG_URL = env.str("MIGRATION_PG_URL", default="")
if MIGRATION_PG_URL and not MIGRATION_PG_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("MIGRATION_PG_URL must be a postgres:// URL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- MongoDB (the legacy store) --------------------------------------------
# auto: Mongo is touched only while some domain's mode needs it (cutover.mongo_usage); required: a
# process refuses to start without it and health fails when it goes; disabled: nothing connects to it.
MONGO_CONNECT_MODE = _choice("MONGO_CONNECT_MODE", ("auto", "required", "disabled"), "auto")
# No MONGO_URL on a developer's machine: an embedded stand-in (litemongo: mongomock over SQLite files)
# under DATA_DIR/mongo, shared by every process. `mongomock://NAME` is an in-memory store for tests.
# Anything else goes to pymongo unchanged. With Mongo disabled a server needs no MONGO_URL.
EMBEDDED_MONGO = MONGO_CONNECT_MODE != "disabled" and _store_url_missing("MONGO_URL")
MONGO_URL = env.str("MONGO_URL", default=f"litemongo://{DATA_DIR / 'mongo'}")
MIGRATION_MONGO_URL = env.str("MIGRATION_MONGO_URL", default="")  # backfill source; empty: MONGO_URL
MONGO_DB_NAME = env.str("MONGO_DB_NAME", default="escrow")
# How long an operation waits for a usable server (pymongo's serverSelectionTimeoutMS; sockets get 4x).
# Longer than a replica-set election (typically under 12 s), so a normal failover delays requests instead
# of failing them; the mirror path does not wait that long on every write: its circuit breaker opens after
# a few failures. Backfill, verify and index builds use their own client without a socket timeout.
MONGO_TIMEOUT_MS = env.int("MONGO_TIMEOUT_MS", default=15000)

# --- Cutover ----------------------------------------------------------------
# The domain registry: name -> the DomainSpec that describes it (imported lazily).
# Listed in SCHEMA.md's backfill order (parents before children).
CUTOVER_DOMAINS = {
    "auth": "accounts.domain.AUTH_DOMAIN",
    "marketplace": "marketplace.domain.MARKETPLACE_DOMAIN",
    "payment": "payments.domain.PAYMENT_DOMAIN",
    "ledger": "ledger.domain.LEDGER_DOMAIN",
    "derived_destination": "payments.domain.DESTINATION_DOMAIN",
    "trezor": "trezor.domain.TREZOR_DOMAIN",
    "notification": "notifications.domain.NOTIFICATION_DOMAIN",
    "dispute": "disputes.domain.DISPUTE_DOMAIN",
    "address": "accounts.domain.ADDRESS_DOMAIN",
}
# The legacy backend's per-domain flags; each seeds its domain's first mode.
CUTOVER_LEGACY_FLAGS = {
    "auth": "AUTH_STORE",
    "address": "ADDRESS_STORE",
    "marketplace": "MARKETPLACE_STORE",
    "payment": "PAYMENT_STORE",
    "ledger": "LEDGER_STORE",
    "derived_destination": "REPO_DERIVED_DESTINATION",
    "trezor": "REPO_TREZOR",
    "dispute": "DISPUTE_STORE",
    "notification": "NOTIFICATION_STORE",
    "points": "POINTS_STORE",
    "review": "REVIEW_STORE",
    "blog": "BLOG_STORE",
    "chat": "CHAT_STORE",
    "level_config": "LEVEL_CONFIG_STORE",
    "shop_settings": "SHOP_SETTINGS_STORE",
    "config": "CONFIG_STORE",
}
try:
    CUTOVER_INITIAL_MODES = {
        domain: parse_store_mode(env.str(flag), source=flag).value
        for domain, flag in CUTOVER_LEGACY_FLAGS.items()
        if flag in env
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
# `backfill --via-celery` gives up (and releases the domain lock) when no worker takes a shard this soon.
CUTOVER_BACKFILL_WORKER_WAIT_SECONDS = env.float("CUTOVER_BACKFILL_WORKER_WAIT_SECONDS", default=60.0)

# --- The JSON API (api/) -------------------------------------------------------
# An operator's API: it acts on any user's records by id, so it needs a staff account (a token from
# POST /api/auth/token, or an admin session). JSON in and out; errors as api.errors describes.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.SafeJSONParser"],
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
}
# How long /api/health waits for each store before it reports that store as not answering.
HEALTH_PROBE_SECONDS = env.float("HEALTH_PROBE_SECONDS", default=2.0)

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

# The whole periodic schedule, in one place. `expires` drops runs that waited too long
# (a backlog after an outage), since the next run does the same work anyway.
CELERY_BEAT_SCHEDULE = {
    "purge-expired-telegram-sessions": {
        "task": "accounts.purge_expired_telegram_sessions",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "purge-expired-temp-verifications": {
        "task": "accounts.purge_expired_temp_verifications",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "purge-old-notifications": {
        "task": "notifications.purge_old_notifications",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
    "repair-mirror-outbox": {
        "task": "cutover.repair_mirror_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

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
