"""Issue 22: every verify failure names the command that fixes it in the current mode, and skewed record
clocks are reported (never a reason to skip a copy)."""

import contextlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cutover.backfill.service import backfill_domain
from cutover.modes.store_mode import StoreMode
from cutover.operations.verify_fixes import verify_fixes
from cutover.store.legacy import now_ms
from cutover.testing import set_store_mode


def _verify_output(domain: str) -> str:
    out = StringIO()
    with contextlib.suppress(CommandError):
        call_command("verify", domain, stdout=out)
    return out.getvalue()


def test_a_row_whose_document_was_deleted_fails_verify_with_the_backfill_as_its_fix(legacy):
    payment = legacy.payment()
    for name in ("auth", "marketplace", "payment"):
        backfill_domain(name)
    set_store_mode("payment", "dual_mongo_primary")
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    output = _verify_output("payment")
    assert "payment: FAIL" in output and "fix: manage.py backfill payment" in output
    backfill_domain("payment")  # the fix works: the row follows the delete
    assert "payment: PASS" in _verify_output("payment")


def test_a_clock_ahead_is_reported_by_verify(legacy):
    legacy.payment(updatedAt=now_ms() + timedelta(hours=3))
    for name in ("auth", "marketplace", "payment"):
        backfill_domain(name)
    output = _verify_output("payment")
    assert "payment/payments: 1 row(s) with updatedAt more than 0:05:00 in the future" in output
    assert "payment: PASS" in output


@pytest.mark.parametrize("mode", list(StoreMode))
@pytest.mark.parametrize("problem", ["missing_in_postgres", "missing_in_mongo", "differing", "unreadable_in_mongo"])
def test_every_failure_has_a_command_in_every_mode(mode, problem):
    fixes = verify_fixes("payment", mode, {problem})
    assert fixes and all(command.startswith("manage.py ") for command, _ in fixes)
