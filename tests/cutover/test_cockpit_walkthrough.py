"""The issue's "done means": a new admin, with the cockpit only, moves a domain from mongo to postgres (and back a
step) without a single refused attempt: before each step, run exactly the commands its blockers list, then take it."""

import shlex
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cutover.models import StoreModeChange
from cutover.modes.cache import current_mode
from cutover.modes.store_mode import StoreMode
from cutover.operations.mode_changes import latest_mode_history_id
from cutover.operations.readiness import domain_readiness
from tests.cutover.helpers import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _run_listed(command: str) -> None:
    words = shlex.split(command)
    assert words[0] == "manage.py" and "USERNAME" not in words, command  # auth has no parent to move first
    call_command(*words[1:], stdout=StringIO(), stderr=StringIO())


def _take(client, domain: str, direction: str) -> StoreMode:
    readiness = domain_readiness(domain)
    step = readiness.advance if direction == "advance" else readiness.roll_back
    for _ in range(3):  # a blocker with no command says how long to wait (the settling, the soak)
        if not step.blockers:
            break
        time.sleep(0.3)
        for blocker in step.blockers:
            if blocker.command:
                _run_listed(blocker.command)
        step = domain_readiness(domain).advance if direction == "advance" else domain_readiness(domain).roll_back
    assert step.allowed, [str(b) for b in step.blockers]  # the listed commands were all it needed
    url = reverse("admin:cutover_domainstoremode_step", args=[domain, step.to_mode.value])
    history = latest_mode_history_id(domain)
    data = {"from_mode": readiness.mode.value, "history": history, "reason": f"{step.label} per the dashboard"}
    assert client.post(url, data).status_code == 200  # the confirmation page
    response = client.post(url, data | {"confirm": "1"}, follow=True)
    page = response.content.decode()
    assert "Refused" not in page and f"{readiness.mode.value} → {step.to_mode.value}." in page
    return current_mode(domain)


def test_auth_goes_from_mongo_to_postgres_and_back_a_step_following_the_cockpit(client, settings):
    settings.CUTOVER_MODE_CACHE_SECONDS = 0.2  # the settling an operator waits for, short here
    settings.CUTOVER_SOAK_SECONDS, settings.CUTOVER_SOAK_MIN_READS = 0.2, 0  # the quickstart's soak
    call_command("seed_demo", "--size", "4", "--seed", "1", stdout=StringIO())
    client.force_login(make_user("newadmin", staff=True, superuser=True))
    assert _take(client, "auth", "advance") is StoreMode.DUAL_MONGO_PRIMARY
    assert _take(client, "auth", "advance") is StoreMode.DUAL
    assert _take(client, "auth", "advance") is StoreMode.POSTGRES
    assert _take(client, "auth", "roll back") is StoreMode.DUAL
    assert _take(client, "auth", "roll back") is StoreMode.DUAL_MONGO_PRIMARY  # after the listed reverse copy
    assert StoreModeChange.objects.filter(domain="auth", overridden_refusal="").count() == 5
    # The forward copy counts from the latest change into dual_mongo_primary, this rollback too
    # (cutover.operations.preconditions): while Mongo leads the legacy app writes Mongo alone, so Postgres leads
    # again only after a new backfill and verify, which the advance lists (after the settling).
    time.sleep(0.3)
    readiness = domain_readiness("auth")
    assert [b.command for b in readiness.advance.blockers] == ["manage.py backfill auth", "manage.py verify auth"]
    assert readiness.item("rejects").ok
    assert _take(client, "auth", "advance") is StoreMode.DUAL
