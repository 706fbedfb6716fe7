import os
import subprocess
import sys
from pathlib import Path

import pytest

from escrow_project.mongo import MongoDisabled, mongo_client, mongo_database, reset_mongo_clients

ROOT = Path(__file__).resolve().parent.parent


def _start_django(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "escrow_project.settings", **env},
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "DISPUTE_STORE",
            "both",
            "DISPUTE_STORE='both' is not a store mode; expected one of: mongo, dual_mongo_primary",
        ),
        ("REPO_TREZOR", "pg", "REPO_TREZOR='pg' is not a store mode"),
        ("MONGO_CONNECT_MODE", "maybe", "MONGO_CONNECT_MODE='maybe' is not allowed; expected one of: auto, required"),
        ("CUTOVER_MIRROR", "later", "CUTOVER_MIRROR='later' is not allowed"),
    ],
)
def test_a_bad_setting_stops_startup_naming_the_variable(variable, value, message):
    result = _start_django(**{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_legacy_flags_seed_initial_modes():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(sorted(settings.CUTOVER_FLAG_MODES.items()))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "escrow_project.settings",
            "DISPUTE_STORE": " Dual ",
            "AUTH_STORE": "postgres",
        },
    )
    assert "[('AUTH_STORE', 'postgres'), ('DISPUTE_STORE', 'dual')]" in result.stdout, result.stderr


def test_a_legacy_flag_no_registered_domain_claims_stops_startup_naming_it():
    result = _start_django(WISHLIST_STORE="postgres")  # a flag-shaped name no domain claims
    assert result.returncode != 0
    assert "WISHLIST_STORE set, but no registered store domain has that flag" in result.stderr


def test_mongomock_urls_share_a_store_per_name():
    mongo_database("mongomock://shared").things.insert_one({"_id": 1})
    reset_mongo_clients()
    assert mongo_database("mongomock://shared").things.find_one({"_id": 1}) == {"_id": 1}
    assert mongo_database("mongomock://other").things.find_one({"_id": 1}) is None
    mongo_database("mongomock://shared").client.drop_database("escrow")


def test_litemongo_store_persists_across_clients(tmp_path):
    url = f"litemongo://{tmp_path / 'mongo'}"
    mongo_database(url).things.insert_one({"_id": 1, "name": "kept"})
    reset_mongo_clients()
    assert mongo_database(url).things.find_one({"_id": 1})["name"] == "kept"
    reset_mongo_clients()


def test_the_database_name_comes_from_a_mongodb_url():
    assert mongo_database("mongodb://127.0.0.1:9/legacy").name == "legacy"
    reset_mongo_clients()


def test_unknown_scheme_is_a_clear_error():
    with pytest.raises(ValueError, match="scheme 'redis' is not supported"):
        mongo_client("redis://localhost")


def test_disabled_mode_refuses_any_mongo_use(settings):
    settings.MONGO_CONNECT_MODE = "disabled"
    with pytest.raises(MongoDisabled):
        mongo_client()


def _as_a_server(**env) -> dict:
    """A process outside pytest: no PYTEST_VERSION, no embedded defaults from the environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "ESCROW_STORE_DEFAULTS", "DATABASE_URL")}
    return {**base, **env}


def test_a_pytest_run_and_the_processes_it_starts_read_no_env_file():
    """The quickstart's .env declares a developer machine; the tests of how a server starts must not read it
    (README: the quickstart, then the tests, in that order)."""
    assert os.environ["ESCROW_ENV_FILE"] == ""


def _settings_value(expression: str, env: dict) -> subprocess.CompletedProcess:
    code = f"from django.conf import settings; print({expression})"
    env = {**env, "DJANGO_SETTINGS_MODULE": "escrow_project.settings"}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)


def test_the_env_file_is_read_unless_escrow_env_file_is_empty(tmp_path):
    env_file = tmp_path / "developer.env"
    env_file.write_text("ESCROW_STORE_DEFAULTS=embedded\n")
    read = _settings_value("settings.EMBEDDED_DEFAULTS", _as_a_server(ESCROW_ENV_FILE=str(env_file)))
    assert read.stdout.strip() == "True", read.stderr
    unread = _settings_value("settings.EMBEDDED_DEFAULTS", _as_a_server(ESCROW_ENV_FILE=""))
    assert unread.returncode != 0
    assert "DATABASE_URL is not set. A server needs DATABASE_URL" in unread.stderr
