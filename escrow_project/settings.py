"""The one settings module, driven by environment variables (django-environ).

Nothing here is production-only: every difference between a laptop and
production is an environment variable. A bad value stops startup with a
message that names the variable and what it accepts.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

from cutover.modes.store_mode import LEGACY_FLAG, parse_store_mode
from cutover.scheduled.schedule import ScheduledTask, beat_schedule

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
# A developer's local overrides: `.env` beside manage.py (never committed), or the file ESCROW_ENV_FILE names
# ("" for none). A pytest run reads none and passes that on to the processes it starts, so a test of how a
# server starts never runs as the developer machine the quickstart's .env declares.
if "PYTEST_VERSION" in os.environ:
    os.environ["ESCROW_ENV_FILE"] = ""
ENV_FILE = os.environ.get("ESCROW_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE)

DATA_DIR = Path(env.str("ESCROW_DATA_DIR", default=str(BASE_DIR / ".data")))


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = env.str(name, default=default).strip().lower()
    if value not in allowed:
        raise ImproperlyConfigured(f"{name}={value!r} is not allowed; expected one of: {', '.join(allowed)}")
    return value


DEBUG = env.bool("DEBUG", default=False)
# --- A server behind a proxy (README, Real servers): the names it answers to and HTTPS --------------------------
# Any other Host gets 400, /api/health included: a load balancer probes with a name listed here.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])  # https://escrow.example.com: admin forms
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^api/health$"]  # a load balancer's plain-HTTP probe gets its answer, not a redirect
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# The header a TLS-terminating proxy sets (X-Forwarded-Proto: https); unset: none is trusted.
_PROXY_SSL_HEADER = env.str("SECURE_PROXY_SSL_HEADER", default="")
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https")

INSTALLED_APPS = [
    "cutover.admin_config.SecretSafeAdminConfig",  # django.contrib.admin, with secrets never queryable
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "cutover",
    "accounts",
    "marketplace",
    "payments",
    "ledger",
    "trezor",
    "notifications",
    "disputes",
    "points",
    "reviews",
    "blog",
    "settings_store",
    "chat",
    "api",
]

MIDDLEWARE = [
    "api.metrics.RequestLatencyMiddleware",  # first: a request's whole time, per store mode (/metrics)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files (the admin's CSS) with DEBUG off too
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a login refused for a lockout into axes's 429 page (admin)
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
# Two roles (escrow_project/db_roles.py): DATABASE_URL is the runtime role the app and workers use (it may only
# read and append to the ledger); MIGRATE_DATABASE_URL, the `owner` alias, is the role that owns the
# tables: `migrate` and `flush` run as it, and `create_runtime_role` creates and grants the runtime role.
# No MIGRATE_DATABASE_URL: one role does both (not least privilege; fine for a scratch database).
# No DATABASE_URL: an embedded PostgreSQL under DATA_DIR/pg, started on the first connection by the
# embedded_pg backend and left running for later commands; its superuser is the owner, and the runtime
# role EMBEDDED_RUNTIME_ROLE is created on first start.
EMBEDDED_POSTGRES = _store_url_missing("DATABASE_URL")
EMBEDDED_RUNTIME_ROLE = "escrow_runtime"
if EMBEDDED_POSTGRES:
    _embedded = {"ENGINE": "escrow_project.embedded_pg", "NAME": "escrow", "OPTIONS": {"pgdata": str(DATA_DIR / "pg")}}
    DATABASES = {"default": {**_embedded, "USER": EMBEDDED_RUNTIME_ROLE}, "owner": {**_embedded}}
else:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    if "MIGRATE_DATABASE_URL" in env:
        DATABASES["owner"] = env.db_url("MIGRATE_DATABASE_URL")
    for _alias, _variable in (("default", "DATABASE_URL"), ("owner", "MIGRATE_DATABASE_URL")):
        if _alias in DATABASES and DATABASES[_alias]["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(f"{_variable} must be a postgres:// URL")
    if "owner" in DATABASES and DATABASES["owner"]["NAME"] != DATABASES["default"]["NAME"]:
        raise ImproperlyConfigured(
            "MIGRATE_DATABASE_URL must name the same database as DATABASE_URL (it is the same database, "
            f"as its owner role): {DATABASES['owner']['NAME']!r} != {DATABASES['default']['NAME']!r}"
        )
for _database in DATABASES.values():
    _database["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    # A persistent connection that PostgreSQL dropped (a restart, a failover) is replaced at the next request
    # instead of failing it.
    _database["CONN_HEALTH_CHECKS"] = True
# The backfill's (and verify's) Postgres, as the legacy runbook names it; empty: the app's database.
MIGRATION_PG_URL = env.str("MIGRATION_PG_URL", default="")
if MIGRATION_PG_URL and not MIGRATION_PG_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("MIGRATION_PG_URL must be a postgres:// URL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- MongoDB (the legacy store) --------------------------------------------
# auto: Mongo is touched only while some domain's mode needs it (cutover.modes.mongo_usage); required: a
# process refuses to start without it and health fails when it goes; disabled: nothing connects to it.
MONGO_CONNECT_MODE = _choice("MONGO_CONNECT_MODE", ("auto", "required", "disabled"), "auto")
# No MONGO_URL on a developer's machine: an embedded stand-in (litemongo: mongomock over SQLite files)
# under DATA_DIR/mongo, shared by every process. `mongomock://NAME` is an in-memory store for tests.
# Anything else goes to pymongo unchanged. With Mongo disabled a server needs no MONGO_URL.
EMBEDDED_MONGO = MONGO_CONNECT_MODE != "disabled" and _store_url_missing("MONGO_URL")
MONGO_URL = env.str("MONGO_URL", default=f"litemongo://{DATA_DIR / 'mongo'}")
MIGRATION_MONGO_URL = env.str("MIGRATION_MONGO_URL", default="")  # backfill source; empty: MONGO_URL
MONGO_URL_SCHEMES = ("mongodb", "mongodb+srv", "litemongo", "mongomock")
for _variable, _url in (("MONGO_URL", MONGO_URL), ("MIGRATION_MONGO_URL", MIGRATION_MONGO_URL)):
    if _url and urlparse(_url).scheme not in MONGO_URL_SCHEMES:
        raise ImproperlyConfigured(
            f"{_variable}={_url!r} is not a Mongo URL; expected one of: "
            + ", ".join(f"{scheme}://" for scheme in MONGO_URL_SCHEMES)
        )
MONGO_DB_NAME = env.str("MONGO_DB_NAME", default="escrow")
# How long an operation waits for a usable server (pymongo's serverSelectionTimeoutMS; sockets get 4x).
# Longer than a replica-set election (typically under 12 s), so a normal failover delays requests instead
# of failing them; the mirror path does not wait that long on every write: its circuit breaker opens after
# a few failures. Backfill, verify and index builds use their own client without a socket timeout.
MONGO_TIMEOUT_MS = env.int("MONGO_TIMEOUT_MS", default=15000)

# --- Secrets ----------------------------------------------------------------
# The fallback key only exists so a developer's checkout starts: DEBUG, or the embedded stores (no
# DATABASE_URL, or a Mongo stand-in). Anywhere else (a server) an unset SECRET_KEY stops start-up.
DEVELOPER_DEFAULTS = (
    DEBUG
    or EMBEDDED_POSTGRES
    or (MONGO_CONNECT_MODE != "disabled" and urlparse(MONGO_URL).scheme in ("litemongo", "mongomock"))
)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEVELOPER_DEFAULTS:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set it to a long random value on every server process "
            "(only DEBUG or the embedded developer stores fall back to a public key)"
        )
    SECRET_KEY = "insecure-dev-key-set-SECRET_KEY-in-production"

# --- Cutover ----------------------------------------------------------------
# The domain registry: the DomainSpec of each store domain (imported lazily), in docs/legacy-collections.md's
# backfill order (parents before children). Adding a domain: README, "Adding a domain".
CUTOVER_DOMAINS = [
    "accounts.domain.AUTH_DOMAIN",
    "marketplace.domain.MARKETPLACE_DOMAIN",
    "payments.domain.PAYMENT_DOMAIN",
    "ledger.domain.LEDGER_DOMAIN",
    "payments.domain.DESTINATION_DOMAIN",
    "points.domain.POINTS_DOMAIN",
    "trezor.domain.TREZOR_DOMAIN",
    "notifications.domain.NOTIFICATION_DOMAIN",
    "disputes.domain.DISPUTE_DOMAIN",
    "accounts.domain.ADDRESS_DOMAIN",
    "reviews.domain.REVIEW_DOMAIN",
    "blog.domain.BLOG_DOMAIN",
    "chat.domain.CHAT_DOMAIN",
    "settings_store.domain.LEVEL_CONFIG_DOMAIN",
    "settings_store.domain.SHOP_SETTINGS_DOMAIN",
    "settings_store.domain.CONFIG_DOMAIN",
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
# The shadow-read soak `dual → postgres` needs (cutover.operations.soak): at least this many sampled
# reads over at least this long in `dual` (from when every process follows it, or the latest verify),
# with mismatches at or below this percent of them. Sample reads with the domain's shadow-read percent.
CUTOVER_SOAK_SECONDS = env.float("CUTOVER_SOAK_SECONDS", default=3600.0)
CUTOVER_SOAK_MIN_READS = env.int("CUTOVER_SOAK_MIN_READS", default=1000)
CUTOVER_SOAK_MAX_MISMATCH_PERCENT = env.float("CUTOVER_SOAK_MAX_MISMATCH_PERCENT", default=0.0)
# Alarms (cutover.operations.alarms: /api/health's warnings, the dashboard's incidents, deploy/prometheus/alerts.yml):
# a domain in a dual mode whose shadow reads of the last CUTOVER_MISMATCH_WINDOW_SECONDS mismatch above this percent
# (by default what the soak allows: any mismatch); a relay whose newest heartbeat is older than this many seconds
# while some domain is in a dual mode (CUTOVER_MIRROR=relay; background: once a child beat and a write waits).
CUTOVER_MISMATCH_ALARM_PERCENT = env.float("CUTOVER_MISMATCH_ALARM_PERCENT", default=CUTOVER_SOAK_MAX_MISMATCH_PERCENT)
CUTOVER_MISMATCH_WINDOW_SECONDS = env.float("CUTOVER_MISMATCH_WINDOW_SECONDS", default=900.0)
CUTOVER_RELAY_STALE_SECONDS = env.float("CUTOVER_RELAY_STALE_SECONDS", default=30.0)
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
# Every audited operator decision (a mode or shadow-read change, a reject acknowledgement, a requeue) needs a
# reason at least this long (cutover/audit.py): a one-character reason explains nothing in the audit.
CUTOVER_MIN_REASON_LENGTH = env.int("CUTOVER_MIN_REASON_LENGTH", default=10)
# `backfill --via-celery` gives up (and releases the domain lock) when no worker takes a shard this soon.
CUTOVER_BACKFILL_WORKER_WAIT_SECONDS = env.float("CUTOVER_BACKFILL_WORKER_WAIT_SECONDS", default=60.0)
# A backfill waits at its batch boundary while more sessions than this of its database are active (pg_stat_activity,
# cutover.backfill.control): the live application goes first. 0 never waits; `backfill --busy-connections` overrides.
CUTOVER_BACKFILL_BUSY_CONNECTIONS = env.int("CUTOVER_BACKFILL_BUSY_CONNECTIONS", default=30)

# --- The JSON API (api/) -------------------------------------------------------
# An operator's API: it acts on any user's records by id. Each view declares the Django permissions it needs
# per method (api.permissions); the caller must be active staff holding them. Tokens: django-rest-knox
# (POST /api/auth/token, then `Authorization: Token ...`; only a hash is stored; each expires after
# API_TOKEN_TTL_HOURS; POST /api/auth/logout revokes it), or an admin session. JSON in and out; errors as
# api.errors describes. Schema: /api/schema/ (drf-spectacular), read at /api/docs/.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.DeclaredPermissions"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.SafeJSONParser"],
    "DEFAULT_METADATA_CLASS": "api.metadata.DeclaredMetadata",
    "DEFAULT_SCHEMA_CLASS": "api.schema.DeclaredSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
}
REST_KNOX = {"TOKEN_TTL": timedelta(hours=env.float("API_TOKEN_TTL_HOURS", default=10.0)), "AUTO_REFRESH": False}
# The largest request body the API reads; a larger one is a 413 in DRF's error form.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
# Logins per client address on POST /api/auth/token (DRF throttle, before any password is hashed); empty: off.
API_LOGIN_RATE = env.str("API_LOGIN_RATE", default="20/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "escrow-cutover API",
    "DESCRIPTION": "The operator's JSON API; every operation names the Django permissions it needs.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["api.permissions.DeclaredPermissions"],
    "SWAGGER_UI_DIST": "SIDECAR",  # served from the app (drf-spectacular-sidecar): no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}
# Login lockout (django-axes) for the admin and the API alike: after AXES_FAILURE_LIMIT failed logins for one
# username, that username is refused for AXES_COOLOFF_MINUTES, before its password is checked; a success resets
# the count. By username, not address: a proxy in front of the app would otherwise lock everyone behind it out.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15.0))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# axes.W006 asks for the address in the lockout key; by username alone no rotation of address, agent or cookie
# escapes the lockout, and the login throttle (API_LOGIN_RATE) limits each address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# How long /api/health waits for each store before it reports that store as not answering.
HEALTH_PROBE_SECONDS = env.float("HEALTH_PROBE_SECONDS", default=2.0)
# Who may read /metrics (api/metrics.py) besides an active staff user's session: a bearer of this token (empty:
# none), and these addresses or networks (e.g. "10.0.0.0/8,127.0.0.1"). Keep the token out of the repository.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])

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
        job="cutover.mirror.outbox.repair_due_entries", every_seconds=60, time_limit_seconds=50
    ),
}
CELERY_BEAT_SCHEDULE = beat_schedule(SCHEDULED_TASKS)
# Beat's state file (when each entry last ran): never in the checkout. The units and compose.yaml pass -s too.
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILE", default=str(DATA_DIR / "celerybeat-schedule"))

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves static files in every setting (runserver with DEBUG off included). It finds them in the
# apps as well, so `collectstatic` (into STATIC_ROOT, compressed) is an optimisation, not a step to forget.
WHITENOISE_USE_FINDERS = True

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
