"""deploy/ is the documented way to run the project (issue 27): the compose file and the systemd units run
commands that exist here (management commands, the Celery app, gunicorn's WSGI module), every long-running
service restarts by itself, beat keeps its state outside the checkout, and the store flags they carry (the
end state: every domain on postgres, MONGO_CONNECT_MODE=auto) are what cutover_check agrees with.
No container runtime runs here: the files are read, not started."""

import configparser
import importlib
import shlex

import pytest
import yaml
from django.core.management import get_commands

from cutover.modes.registry import domain_names, domain_spec
from cutover.operations.cutover_check import cutover_checks
from cutover.testing import set_store_mode
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
LONG_RUNNING = ("web", "worker", "beat", "relay")


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _units() -> dict[str, configparser.RawConfigParser]:
    units = {}
    for path in sorted((DEPLOY / "systemd").glob("*.service")):
        parser = configparser.RawConfigParser(strict=False)  # ExecStart may repeat in a oneshot unit
        parser.optionxform = str
        parser.read_string(path.read_text())
        parser.all_values = _service_values(path.read_text())
        units[path.stem.removeprefix("escrow-")] = parser
    return units


def _service_values(text: str) -> dict[str, list[str]]:
    values, section = {}, ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip()
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def _unit_commands(unit: configparser.RawConfigParser, key: str = "ExecStart") -> list[list[str]]:
    """Every `key=` line of the unit's [Service] section, in order (configparser keeps only the last of a repeated
    key, and a oneshot unit repeats ExecStart)."""
    return [shlex.split(value) for value in unit.all_values[key]]


def _command_problems(argv: list[str]) -> list[str]:
    """What in `argv` does not exist in the project ([] when it all does)."""
    if argv[:2] == ["sh", "-c"]:
        return [p for part in argv[2].split("&&") for p in _command_problems(shlex.split(part))]
    program = argv[0].rsplit("/", 1)[-1]
    if program in ("rm", "mkdir"):  # only the deployment's own state directory
        return [] if argv[1] in ("-rf", "-p") and argv[2].startswith("/var/lib/escrow/") else [f"{argv} outside it"]
    if program.startswith("python"):
        assert argv[1] == "manage.py", argv
        return [] if argv[2] in get_commands() else [f"no management command {argv[2]!r}"]
    if program == "celery":
        app_module = argv[argv.index("-A") + 1]
        app = getattr(importlib.import_module(f"{app_module}.celery"), "app", None)
        problems = [] if app is not None and app.main == app_module else [f"no Celery app in {app_module}"]
        if argv[argv.index("-A") + 2] == "beat":
            schedule = argv[argv.index("-s") + 1] if "-s" in argv else ""
            problems += [] if schedule.startswith("/var/lib/") else [f"beat's schedule file in the checkout: {argv}"]
        return problems
    if program == "gunicorn":
        module, _, attribute = argv[1].partition(":")
        application = getattr(importlib.import_module(module), attribute, None)
        return [] if callable(application) else [f"no WSGI application {argv[1]!r}"]
    return [f"unknown program {program!r}"]


def test_compose_runs_every_process_and_the_stores_with_restart_policies():
    services = _compose()["services"]
    assert {*LONG_RUNNING, "setup", "postgres", "redis", "mongo"} <= set(services)
    for name in (*LONG_RUNNING, "postgres", "redis", "mongo"):
        assert services[name]["restart"] in ("always", "unless-stopped"), name
    assert "--replSet" in services["mongo"]["command"]  # the legacy side as a replica set


def test_every_compose_command_exists_in_the_project():
    for name, service in _compose()["services"].items():
        if "command" in service and name in (*LONG_RUNNING, "setup"):
            assert _command_problems(service["command"]) == [], name


def test_setup_runs_every_step_a_first_deployment_needs_in_order():
    steps = _compose()["services"]["setup"]["command"][2]
    order = ["create_runtime_role", "migrate", "ensure_mongo_indexes", "run_scheduled_task --all"]
    assert [steps.index(step) for step in order] == sorted(steps.index(step) for step in order)


def test_the_systemd_units_run_the_same_processes_and_restart_by_themselves():
    units = _units()
    assert {*LONG_RUNNING, "setup"} <= set(units)
    for name in LONG_RUNNING:
        assert units[name].get("Service", "Restart") == "always", name
        assert units[name].get("Unit", "StartLimitIntervalSec") == "0", name
    for name, unit in units.items():
        for argv in _unit_commands(unit):
            assert _command_problems(argv) == [], f"{name}: {argv}"
    compose = _compose()["services"]
    for name in LONG_RUNNING:  # the same program and subcommand as in compose.yaml
        (unit_argv,) = _unit_commands(units[name])
        assert [unit_argv[0].rsplit("/", 1)[-1], *unit_argv[1:3]][:3] == compose[name]["command"][:3], name


def test_every_process_counts_into_one_metrics_directory_emptied_at_each_start():
    compose, units = _compose()["services"], _units()
    directory = compose["web"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    for name in LONG_RUNNING:
        assert compose[name]["environment"]["PROMETHEUS_MULTIPROC_DIR"] == directory, name
        assert "escrow-data:/var/lib/escrow" in compose[name]["volumes"], name
    assert compose["setup"]["command"][2].startswith(f"rm -rf {directory} && mkdir -p {directory} && ")
    example = (DEPLOY / "systemd" / "escrow.env.example").read_text()
    assert f"PROMETHEUS_MULTIPROC_DIR={directory}\n" in example
    emptied = [["/bin/rm", "-rf", directory], ["/bin/mkdir", "-p", directory]]
    assert _unit_commands(units["setup"], "ExecStartPre") == emptied


def _flags(environment: dict) -> dict[str, str]:
    return {key: value for key, value in environment.items() if key.endswith("_STORE") or key.startswith("REPO_")}


def test_the_flags_are_in_one_place_and_name_every_domain():
    compose = _compose()
    flags = _flags(compose["x-store-flags"])
    assert set(flags) == {domain_spec(domain).flag for domain in domain_names()}
    for name in (*LONG_RUNNING, "setup"):
        environment = compose["services"][name]["environment"]
        assert _flags(environment) == flags, name
        assert environment["MONGO_CONNECT_MODE"] == "auto", name
    example = dict(
        line.split("=", 1)
        for line in (DEPLOY / "systemd" / "escrow.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert _flags(example) == flags and example["MONGO_CONNECT_MODE"] == "auto"


@pytest.mark.django_db
def test_cutover_check_agrees_with_the_end_state_flags(settings):
    settings.CUTOVER_FLAG_MODES = _flags(_compose()["x-store-flags"])
    for domain in domain_names():
        set_store_mode(domain, "postgres")
    flag_checks = [check for check in cutover_checks() if check.name == "env flag"]
    assert len(flag_checks) == len(domain_names())
    assert [check for check in flag_checks if not check.ok] == []
    set_store_mode("dispute", "dual")  # the check can fail: a live mode the flags do not name
    (failing,) = [check for check in cutover_checks(["dispute"]) if check.name == "env flag" and not check.ok]
    assert "DISPUTE_STORE=postgres but the live mode is dual" in failing.detail
