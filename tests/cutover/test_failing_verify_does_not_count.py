"""Guarantee 6: only a passing verify meets the mode preconditions (cutover/operations/preconditions.py), on the forward
path (dual_mongo_primary -> dual) and on the rollback (dual -> dual_mongo_primary after postgres -> dual); the latest
verify counts, never an older passing one."""

import pytest
from django.db import connection

from cutover.backfill.reverse import reverse_backfill_domain
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import VerifyResult
from cutover.modes.registry import domain_spec
from cutover.operations.mode_changes import CHANGE_PERMISSION, StoreModeChangeRefused, store_mode_change
from cutover.testing import set_store_mode
from tests.cutover.helpers import make_user

NO_PASSING_VERIFY = r"the latest verify of payment \(finished .*\) failed"


@pytest.fixture
def operator(transactional_db):
    return make_user("ops", CHANGE_PERMISSION)


def _step(operator, mode: str):
    return store_mode_change(domain="payment", to_mode=mode, user=operator, reason="cutover (test reason)")


def _set_confirmations(record_id: str, value: int) -> None:
    """Straight into the row, as a bug or a hand edit would: no version bump, no outbox."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE payments SET confirmations = %s WHERE id = %s", [value, record_id])


def _failing_verify() -> VerifyResult:
    result = verify_domain("payment")
    assert not result.passed
    return result


def test_a_failing_verify_does_not_let_postgres_lead(legacy, operator):
    payment = legacy.payment()
    backfill_domain("auth")
    backfill_domain("marketplace")
    set_store_mode("auth", "dual")
    set_store_mode("marketplace", "dual")
    _step(operator, "dual_mongo_primary")  # dual writes begin; the backfill after it is the one that counts
    backfill_domain("payment")
    _set_confirmations(str(payment["_id"]), 99)

    failed = _failing_verify()
    assert failed.samples["payments"]["differing"] == {str(payment["_id"]): ["confirmations"]}
    with pytest.raises(StoreModeChangeRefused, match=NO_PASSING_VERIFY) as refusal:
        _step(operator, "dual")
    # What fixes a difference while Mongo leads (cutover.operations.verify_fixes), then verify.
    assert "run `manage.py backfill payment` (Mongo leads: " in str(refusal.value)
    assert str(refusal.value).endswith(", then `manage.py verify payment`.")

    _set_confirmations(str(payment["_id"]), payment["confirmations"])
    assert verify_domain("payment").passed
    assert _step(operator, "dual").to_mode == "dual"


def test_a_failing_verify_does_not_let_mongo_return(legacy, operator, settings):
    settings.CUTOVER_SOAK_SECONDS, settings.CUTOVER_SOAK_MIN_READS = 0, 0
    payment = legacy.payment()
    backfill_domain("auth")
    backfill_domain("marketplace")
    backfill_domain("payment")
    for domain in ("auth", "marketplace", "payment"):
        set_store_mode(domain, "dual")
    assert verify_domain("payment").passed
    _step(operator, "postgres")
    _step(operator, "dual")  # the rollback: nothing copied first; the copy is made in dual
    reverse_backfill_domain("payment")
    mongo = domain_spec("payment").backends()["mongo"]
    good = mongo.get_snapshot("payments", str(payment["_id"]))
    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": {"confirmations": 99}})  # Mongo now differs

    failed = _failing_verify()
    assert failed.samples["payments"]["differing"] == {str(payment["_id"]): ["confirmations"]}
    with pytest.raises(StoreModeChangeRefused, match=NO_PASSING_VERIFY):
        _step(operator, "dual_mongo_primary")

    legacy.db.payments.update_one({"_id": payment["_id"]}, {"$set": {"confirmations": good.confirmations}})
    assert mongo.get_snapshot("payments", str(payment["_id"])) == good
    assert verify_domain("payment").passed
    assert _step(operator, "dual_mongo_primary").to_mode == "dual_mongo_primary"
