import pytest

from cutover.factory import repository_for
from cutover.models import ShadowMismatch
from cutover.modes.registry import domain_spec
from cutover.store.legacy import to_object_id
from cutover.testing import set_store_mode
from tests.disputes.factories import dispute_draft

pytestmark = pytest.mark.django_db(transaction=True)


def _tamper_mongo(record_id: str, **fields) -> None:
    domain_spec("dispute").backends()["mongo"].database["disputes"].update_one(
        {"_id": to_object_id(record_id)}, {"$set": fields}
    )


def test_mismatch_returns_primary_and_records_the_differing_fields():
    set_store_mode("dispute", "dual", shadow_read_percent=100)
    record = repository_for("dispute").create(dispute_draft(priority="low"))
    _tamper_mongo(record.id, priority="urgent")

    assert repository_for("dispute").get(record.id) == record  # the primary's answer
    mismatch = ShadowMismatch.objects.get()
    assert (mismatch.domain, mismatch.method, mismatch.record_id, mismatch.kind) == (
        "dispute",
        "get",
        record.id,
        "mismatch",
    )
    assert mismatch.differences == {"priority": ["low", "urgent"]}


def test_list_mismatch_names_the_record():
    set_store_mode("dispute", "dual_mongo_primary", shadow_read_percent=100)
    record = repository_for("dispute").create(dispute_draft())
    domain_spec("dispute").backends()["postgres"].delete_snapshot("disputes", record.id)

    assert [r.id for r in repository_for("dispute").list_by_status_priority(status="open")] == [record.id]
    mismatch = ShadowMismatch.objects.get()
    assert mismatch.method == "list_by_status_priority"
    assert list(mismatch.differences) == [record.id]


def test_secondary_failure_is_recorded_never_raised(monkeypatch):
    set_store_mode("dispute", "dual", shadow_read_percent=100)
    record = repository_for("dispute").create(dispute_draft())
    monkeypatch.setattr(type(domain_spec("dispute").backends()["mongo"]), "get", lambda self, record_id: 1 / 0)
    assert repository_for("dispute").get(record.id) == record
    assert ShadowMismatch.objects.get().kind == "error"


def test_no_shadow_reads_at_zero_percent():
    set_store_mode("dispute", "dual", shadow_read_percent=0)
    record = repository_for("dispute").create(dispute_draft())
    _tamper_mongo(record.id, priority="urgent")
    repository_for("dispute").get(record.id)
    assert not ShadowMismatch.objects.exists()


def test_equal_stores_record_nothing():
    set_store_mode("dispute", "dual", shadow_read_percent=100)
    record = repository_for("dispute").create(dispute_draft())
    repository_for("dispute").get(record.id)
    repository_for("dispute").list_by_status_priority(status="open")
    assert not ShadowMismatch.objects.exists()
