"""Every management command of the project, walked with bad arguments: each is refused in one line on
stderr, with a non-zero exit status, and the database is exactly as it was. The commands run as from a
shell (run_from_argv: argparse, CommandError's exit status), in this process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.db import connection

from cutover.models import MirrorOutboxEntry
from cutover.modes.cache import current_mode
from cutover.modes.registry import domain_names
from escrow_project.db_roles import OWNER_ALIAS
from tests.conftest import CLOSED_PORT_MONGO_URL

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", OWNER_ALIAS])
ROOT = Path(__file__).resolve().parent.parent
PROJECT_APPS = {"cutover", "accounts", "marketplace", "payments", "ledger", "trezor", "notifications", "disputes"}

# command -> bad argument lists. Every project command must be here (a new one without cases fails).
BAD_INPUTS = {
    "backfill_control": [
        [],
        ["pause"],
        ["stop", "1", "--user", "alice", "--reason", "a reason long enough"],
        ["pause", "one", "--user", "alice", "--reason", "a reason long enough"],
        ["pause", "1", "--reason", "a reason long enough"],
        ["pause", "999999", "--user", "alice", "--reason", "a reason long enough"],  # no such run
        ["cancel", "999999", "--user", "nobody-here", "--reason", "a reason long enough"],
        ["resume", "999999", "--user", "alice", "--reason", "a reason long enough"],
        ["pause", "999999", "--user", "alice", "--reason", "short"],
    ],
    "resolve_deleted_entry": [
        [],
        ["0", "--stands", "--user", "alice", "--reason", "r"],
        ["1", "--user", "alice", "--reason", "r"],
        ["1", "--stands", "--compensate", "--user", "alice", "--reason", "r"],
        ["1", "--stands", "--user", "nobody-here", "--reason", "r"],
    ],
    "verify": [
        ["--range-size", "-3", "--all"],
        ["--range-size", "0", "--all"],
        ["--range-size", "lots", "--all"],
        [],
        ["--all", "payment"],
        ["nope"],
    ],
    "backfill": [
        ["--max-minutes", "-1", "payment"],
        ["--max-minutes", "0", "payment"],
        ["--max-minutes", "inf", "payment"],
        ["--batch-size", "0", "--all"],
        ["--shards", "-1", "--via-celery", "payment"],
        ["--reverse", "--via-celery", "payment"],
        ["nope"],
        [],
    ],
    "repair_mirror": [["--limit", "-1"], ["--limit", "0"], ["--domain", "nope"]],
    "ensure_mongo_indexes": [["nope"], ["auth", "nope"]],
    "store_mode": [
        ["nope"],
        ["nope", "--to", "dual", "--user", "alice"],
        ["--to", "dual"],
        ["--to", "dual", "--user", "alice", "--reason", "r (test reason)"],
        ["--override"],
        ["dispute", "--to", "sideways"],
        ["dispute", "--to", "dual_mongo_primary"],
        ["dispute", "--to", "dual_mongo_primary", "--user", "nobody"],
    ],
    "mirror_relay": [
        ["--idle-seconds", "0"],
        ["--idle-seconds", "-1"],
        ["--idle-seconds", "nan"],
        ["--nice", "20"],
        ["--nice", "-1"],
        ["--parent-pid", "x"],
        ["--parent-pid", "0"],
        ["--parent-pid", "-5"],
    ],
    "seed_demo": [["--size", "0"], ["--size", "-5"], ["--seed", "x"]],
    "backfill_rejects": [
        ["--limit", "0"],
        ["--domain", "nope"],
        ["--status", "closed"],
        ["--user", "alice"],
        ["--acknowledge", "0", "--user", "alice", "--reason", "r (test reason)"],
    ],
    "requeue_dead_letters": [
        ["--domain", "nope"],
        ["--reason", "fixed (test reason)"],
        ["--user", "alice", "--reason", "fixed (test reason)"],
        ["--domain", "auth", "--all", "--user", "alice", "--reason", "fixed (test reason)"],
        ["--all", "--user", "nobody", "--reason", "fixed (test reason)"],
        ["--all", "--user", "alice"],
        ["--ids", "-1", "--user", "alice", "--reason", "fixed (test reason)"],
    ],
    "create_runtime_role": [["--role", "x"], ["extra"]],
    "cutover_all": [[], ["--user", "alice"], ["--user", "nobody", "--reason", "r (test reason)"]],
    "cutover_check": [["nope"], ["--json", "dispute", "nope"]],
    "run_scheduled_task": [[], ["nope"], ["--all", "cutover.repair_mirror_outbox"]],
    "migrate": [["nope"], ["cutover", "9999"]],
    "flush": [["--database", "nope"], ["--no-input", "--database", "nope"]],
}
CASES = [(name, argv) for name, cases in BAD_INPUTS.items() for argv in cases]


def project_commands() -> set[str]:
    return {name for name, app in get_commands().items() if app in PROJECT_APPS}


def database_fingerprint() -> dict[str, str]:
    """Every table's content, hashed: a command that changed any row changes this."""
    tables = sorted(connection.introspection.table_names())
    with connection.cursor() as cursor:
        digests = {}
        for table in tables:
            cursor.execute(f"SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM \"{table}\" t")
            digests[table] = cursor.fetchone()
    return digests


def run_as_from_a_shell(name: str, argv: list[str], capsys) -> tuple[int, list[str], str]:
    command = load_command_class(get_commands()[name], name)
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(["manage.py", name, *argv])
        raise SystemExit(0)  # it returned: that is a success, which these cases must not be
    out, err = capsys.readouterr()
    return exit_.value.code, err.strip().splitlines(), out


@pytest.fixture
def some_data():
    """Rows a wrong command could change: a user with every permission, an outbox entry of each status."""
    from django.contrib.auth.models import User

    User.objects.create_superuser("alice", password="x-for-tests-only")
    for name in domain_names():
        current_mode(name)  # the registry's rows, made on a domain's first read
    for status in ("pending", "dead", "done"):
        MirrorOutboxEntry.objects.create(
            domain="auth", collection="users", record_id="a" * 24, target="mongo", status=status
        )


def test_every_project_command_has_bad_input_cases():
    assert project_commands() == set(BAD_INPUTS)


@pytest.mark.parametrize(("name", "argv"), CASES, ids=[f"{n} {' '.join(a)}" for n, a in CASES])
def test_a_bad_input_is_refused_in_one_line_and_changes_nothing(some_data, capsys, name, argv):
    before = database_fingerprint()
    code, err, out = run_as_from_a_shell(name, argv, capsys)
    assert code not in (0, None), (out, err)
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    assert database_fingerprint() == before


MONGO_NEEDED = [
    ["verify", "--all"],
    ["backfill", "--all"],
    ["backfill", "payment"],
    ["ensure_mongo_indexes"],
    ["seed_demo", "--size", "2"],
]


@pytest.mark.parametrize("argv", MONGO_NEEDED, ids=" ".join)
def test_mongo_down_is_one_line_and_changes_nothing(some_data, capsys, mongo_outage, argv):
    mongo_outage.start()
    before = database_fingerprint()
    code, err, _ = run_as_from_a_shell(argv[0], argv[1:], capsys)
    assert code == 1
    assert len(err) == 1 and err[0].startswith("CommandError: MongoDB is unreachable"), err
    assert database_fingerprint() == before


def test_a_seed_rerun_is_refused_and_writes_nothing_more(capsys):
    from django.core.management import call_command

    call_command("seed_demo", "--size", "3", "--seed", "1")
    capsys.readouterr()
    before = database_fingerprint()
    code, err, _ = run_as_from_a_shell("seed_demo", ["--size", "3", "--seed", "1"], capsys)
    assert code == 1
    assert err == [err[0]] and "--seed 1 was seeded before" in err[0]
    assert database_fingerprint() == before


def _start(env: dict, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("variable", ["MONGO_URL", "MIGRATION_MONGO_URL"])
def test_a_mongo_url_that_is_not_one_stops_start_up_in_one_line(variable):
    done = _start({**os.environ, variable: "ftp://x/y"}, "check")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"configuration error: {variable}='ftp://x/y' is not a Mongo URL; expected one of: mongodb://, "
        "mongodb+srv://, litemongo://, mongomock://"
    ]


def test_a_server_without_secret_key_does_not_start():
    """A server: no pytest run, no embedded defaults, its store URLs set (`check` connects to neither)."""
    server = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "ESCROW_STORE_DEFAULTS", "SECRET_KEY")}
    server.update(MONGO_URL=CLOSED_PORT_MONGO_URL, DATABASE_URL="postgres://nobody@127.0.0.1:9/none", DEBUG="0")
    done = _start(server, "check")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[0].startswith("configuration error: SECRET_KEY is not set")
    assert _start({**server, "SECRET_KEY": "k" * 50}, "check").returncode == 0
    assert _start({**server, "DEBUG": "1"}, "check").returncode == 0  # a developer's DEBUG run
    assert _start({**server, "MONGO_URL": "litemongo:///tmp/x"}, "check").returncode == 0  # the embedded stand-in


def test_the_relay_without_postgres_stops_in_one_line():
    """Its listening connection is psycopg's own, not Django's: its error used to end in a traceback."""
    done = _start({**os.environ, "DATABASE_URL": "postgres://root@127.0.0.1:9/nowhere"}, "mirror_relay")
    assert done.returncode == 1
    errors = [line for line in done.stderr.strip().splitlines() if " INFO " not in line]  # the start-up line
    assert len(errors) == 1 and errors[0].startswith("CommandError: mirror relay stopped: PostgreSQL:"), errors
