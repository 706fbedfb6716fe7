"""App writes of values the migration cannot store: accepted in Mongo, then stuck forever."""

import pytest

from cutover.backfill.service import backfill_domain
from cutover.models import BackfillReject
from cutover.testing import set_store_mode
from disputes.services import dispute_add_evidence
from notifications.services import notification_send
from tests.backfill.conftest import postgres_record
from tests.elements.test_embedded_arrays import _dispute


def _backfill():
    for name in ("auth", "marketplace", "payment", "dispute"):
        backfill_domain(name)


@pytest.mark.parametrize("mode", ["mongo", "dual_mongo_primary"])
def test_a_nul_in_app_input_never_makes_a_record_unmigratable(legacy, mode):
    dispute, buyer = _dispute(legacy, [])
    _backfill()
    set_store_mode("dispute", mode)
    try:
        dispute_add_evidence(dispute_id=str(dispute["_id"]), url="https://x/\x00y", uploaded_by_id=str(buyer["_id"]))
    except Exception:
        return  # refusing the input is the fix
    backfill_domain("dispute", restart=True)
    assert not BackfillReject.objects.filter(status="open", collection="disputes").exists()
    assert len(postgres_record("dispute", "disputes", dispute["_id"]).evidence) == 1


def test_a_nul_in_notification_data(legacy):
    user = legacy.user()
    backfill_domain("auth")
    set_store_mode("notification", "dual_mongo_primary")
    try:
        record = notification_send(user_id=str(user["_id"]), type="system", title="t", data={"k": "a\x00b"})
    except Exception:
        return
    assert postgres_record("notification", "notifications", record.id) is not None


def test_legacy_nul_values_are_rejects_or_rows_never_crashes(legacy):
    from tests.backfill.test_races_and_deletes import _notification

    user = legacy.user()
    in_data = _notification(legacy, user, data={"k": "a\x00b"})
    in_unknown = _notification(legacy, user, extra="a\x00b", nested={"x": ["\x00"]})
    in_title = _notification(legacy, user, title="t\x00")
    backfill_domain("auth")
    run = backfill_domain("notification")
    assert run.status == "finished"
    assert postgres_record("notification", "notifications", in_unknown["_id"]) is not None
    for doc in (in_data, in_title):
        assert BackfillReject.objects.filter(status="open", record_id=str(doc["_id"])).exists()
