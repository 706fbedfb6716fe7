"""A legacy store flag that governs no registered domain stops start-up and names itself (issue 12):
before, `POINTS_STORE=postgres` was accepted and ignored, and an operator could believe points had moved."""

import os
import subprocess
import sys

import pytest

from cutover.legacy_flags import UngovernedLegacyFlag, check_legacy_flags
from tests.test_settings_and_mongo import ROOT, _start_django


@pytest.mark.parametrize("flag", ["WALLET_STORE", "REPO_ESCROW_ARCHIVE"])
def test_a_set_flag_of_no_domain_stops_startup_naming_it(flag):
    result = _start_django(**{flag: "dual"})
    assert result.returncode != 0
    assert f"{flag} is set but governs no store domain" in result.stderr


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
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.CUTOVER_INITIAL_MODES)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "escrow_project.settings", flag: "Dual"},
    )
    assert f"'{domain}': 'dual'" in result.stdout, result.stderr


def test_a_declared_flag_whose_domain_is_not_registered_is_named():
    with pytest.raises(UngovernedLegacyFlag, match="legacy flag CHAT_STORE is declared for domain 'chat'"):
        check_legacy_flags({"auth": "AUTH_STORE", "chat": "CHAT_STORE"}, ["auth"], [])


def test_only_flag_shaped_variables_are_checked():
    check_legacy_flags({"auth": "AUTH_STORE"}, ["auth"], ["AUTH_STORE", "PATH", "STORE", "REPO", "DATABASE_URL"])
    with pytest.raises(UngovernedLegacyFlag, match="CHAT_STORE is set"):
        check_legacy_flags({"auth": "AUTH_STORE"}, ["auth"], ["AUTH_STORE", "CHAT_STORE"])
