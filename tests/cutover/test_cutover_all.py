"""The quickstart's path in one test: legacy data in Mongo, `cutover_all`, the scheduled tasks once, and
`cutover_check` passes with Mongo optional."""

import subprocess
import sys
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from cutover.models import StoreModeChange
from cutover.modes.cache import current_mode, invalidate_mode_cache
from cutover.modes.registry import domain_names
from cutover.modes.store_mode import StoreMode
from tests.conftest import ROOT, other_process_env


@pytest.mark.django_db(transaction=True)
def test_cutover_all_then_the_scheduled_tasks_leave_cutover_check_passing(redis_url, settings):
    settings.REDIS_URL = redis_url
    settings.CUTOVER_SOAK_SECONDS, settings.CUTOVER_SOAK_MIN_READS = 0.5, 0  # the quickstart's short soak
    call_command("seed_demo", size=3, stdout=StringIO())
    get_user_model().objects.create_superuser("ops", password="not-a-real-password")
    out = StringIO()
    call_command("cutover_all", user="ops", reason="rehearsal (test reason)", stdout=out)
    invalidate_mode_cache()
    assert {current_mode(name) for name in domain_names()} == {StoreMode.POSTGRES}
    assert StoreModeChange.objects.filter(reason="rehearsal (test reason)").count() == 3 * len(domain_names())
    call_command("run_scheduled_task", all=True, stdout=StringIO())
    report = StringIO()
    call_command("cutover_check", stdout=report)  # a CommandError (exit status 1) on any failure
    assert "cutover complete: every check passes" in report.getvalue()
    assert "optional: no domain reads or writes it" in report.getvalue()

    again = StringIO()
    call_command("cutover_all", user="ops", reason="rehearsal (test reason)", stdout=again)  # nothing left to do
    assert again.getvalue() == ""


@pytest.mark.django_db
def test_cutover_all_needs_a_known_user():
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("cutover_all", user="nobody", reason="x (test reason)")


def test_the_quickstart_walks_with_a_one_second_soak_and_no_reads():
    """Demo data has no traffic: the quickstart's `cutover_all` gets a one-second soak needing no sampled reads,
    and the settings take both from the environment (the default soak would wait an hour for 1000 reads)."""
    walk = [line for line in (ROOT / "quickstart.sh").read_text().splitlines() if "manage.py cutover_all" in line]
    assert len(walk) == 1 and walk[0].startswith("CUTOVER_SOAK_SECONDS=1 CUTOVER_SOAK_MIN_READS=0 "), walk
    shown = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings as s; print(s.CUTOVER_SOAK_SECONDS, s.CUTOVER_SOAK_MIN_READS)",
        ],
        cwd=ROOT,
        env=other_process_env(CUTOVER_SOAK_SECONDS="1", CUTOVER_SOAK_MIN_READS="0"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.split()[-2:] == ["1.0", "0"]
