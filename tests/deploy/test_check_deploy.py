"""`manage.py check --deploy` is clean on a server configured as README's *Real servers* table says (issue 27):
ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, secure cookies, HTTPS redirect and HSTS behind a TLS proxy."""

import secrets
import subprocess
import sys

from tests.conftest import ROOT

SERVER_ENV = {
    "PATH": "/usr/bin:/bin",
    "ESCROW_ENV_FILE": "",
    "DATABASE_URL": "postgres://escrow_app:app-password@db.internal:5432/escrow",
    "MONGO_URL": "mongodb://mongo.internal:27017/escrow?replicaSet=rs0",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "escrow.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://escrow.example.com",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def _check_deploy(**overrides: str) -> subprocess.CompletedProcess:
    env = {**SERVER_ENV, "SECRET_KEY": secrets.token_urlsafe(50), **overrides}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_server_configured_as_the_readme_says_passes_check_deploy_without_a_warning():
    done = _check_deploy()
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_fails_without_the_secure_cookies():
    done = _check_deploy(SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false")
    assert done.returncode == 1
    assert "security.W012" in done.stderr and "security.W016" in done.stderr
