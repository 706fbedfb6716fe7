"""A legacy store flag that governs no registered domain stops start-up and names itself (issue 12):
before, `POINTS_STORE=postgres` was accepted and ignored, and an operator could believe points had moved."""

import os
import subprocess
import sys

import pytest

from cutover.modes.registry import domain_names, domain_of_flag, domain_spec
from cutover.modes.store_mode import LEGACY_FLAG
from tests.test_settings_and_mongo import ROOT, _start_django


@pytest.mark.parametrize("flag", ["WALLET_STORE", "REPO_ESCROW_ARCHIVE"])
def test_a_set_flag_of_no_domain_stops_startup_naming_it(flag):
    result = _start_django(**{flag: "dual"})
    assert result.returncode != 0
    assert f"{flag} set, but no registered store domain has that flag" in result.stderr


@pytest.mark.parametrize(
    ("flag", "domain"),
    [
        ("POINTS_STORE", "points"),
        ("REVIEW_STORE", "review"),
        ("BLOG_STORE", "blog"),
        ("LEVEL_CONFIG_STORE", "level_config"),
        ("SHOP_SETTINGS_STORE", "shop_settings"),
        ("CONFIG_STORE", "config"),
    ],
)
def test_the_flags_of_the_new_domains_seed_their_first_mode(flag, domain):
    assert domain_of_flag(flag) == domain
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.CUTOVER_FLAG_MODES)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "escrow_project.settings", flag: "Dual"},
    )
    assert f"'{flag}': 'dual'" in result.stdout, result.stderr


def test_every_domain_has_its_own_flag_and_only_flag_shaped_names_count():
    flags = [domain_spec(name).flag for name in domain_names()]
    assert len(set(flags)) == len(flags)
    assert all(LEGACY_FLAG.fullmatch(flag) for flag in flags)
    assert not any(LEGACY_FLAG.fullmatch(name) for name in ["PATH", "STORE", "REPO", "DATABASE_URL", "STORE_X"])
