"""What a `dual` write costs the request over a `postgres` one (issue 15): its outbox row, nothing more (both
hold the write fence: a `postgres` write is fenced too since issue 22, cutover.mirror.single). The use case's
own unit of work joins the fence transaction instead of opening a savepoint
(cutover.store.backends.postgres.as_sole_write), and a failure still rolls the whole write back."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cutover.factory import repository_for
from cutover.models import MirrorOutboxEntry
from cutover.store.backends.errors import RecordNotFound
from cutover.store.legacy import new_id
from cutover.testing import set_store_mode
from tests.disputes.factories import dispute_draft

pytestmark = pytest.mark.django_db(transaction=True)


def _statements_of_a_status_change(mode: str, dispute_id: str, actor_id: str) -> list[str]:
    set_store_mode("dispute", mode)
    repository = repository_for("dispute")  # the mode cache is loaded outside the count
    with CaptureQueriesContext(connection) as queries:
        repository.change_status(dispute_id, to_status="under_review", actor_id=actor_id)
    return [query["sql"] for query in queries.captured_queries]


def test_a_dual_write_adds_only_its_outbox_row_and_both_hold_the_fence(settings):
    settings.CUTOVER_MIRROR = "relay"  # nothing mirrors in this process
    set_store_mode("dispute", "dual")
    records = [repository_for("dispute").create(dispute_draft()) for _ in range(2)]
    postgres = _statements_of_a_status_change("postgres", records[0].id, records[0].opened_by_id)
    dual = _statements_of_a_status_change("dual", records[1].id, records[1].opened_by_id)
    assert not [sql for sql in dual + postgres if "SAVEPOINT" in sql], (postgres, dual)
    assert len(dual) == len(postgres) + 1, (postgres, dual)
    assert any("cutover_mirror_outbox" in sql for sql in dual)
    assert all(any("cutover_mode_fence" in sql for sql in statements) for statements in (postgres, dual))


def test_a_failing_dual_write_leaves_nothing_and_the_callers_transaction_usable(settings):
    settings.CUTOVER_MIRROR = "relay"
    set_store_mode("dispute", "dual")
    with transaction.atomic():  # a caller's own transaction (ATOMIC_REQUESTS, a service) that goes on after it
        with pytest.raises(RecordNotFound):
            repository_for("dispute").change_status(new_id(), to_status="under_review", actor_id=new_id())
        record = repository_for("dispute").create(dispute_draft())
    assert repository_for("dispute").get(record.id) == record
    assert list(MirrorOutboxEntry.objects.values_list("record_id", flat=True)) == [record.id]


def test_outside_a_dual_write_a_failed_unit_of_work_is_still_its_own_savepoint():
    set_store_mode("dispute", "postgres")
    with transaction.atomic():
        with pytest.raises(RecordNotFound):
            repository_for("dispute").change_status(new_id(), to_status="under_review", actor_id=new_id())
        record = repository_for("dispute").create(dispute_draft())  # the transaction is still usable
    assert repository_for("dispute").get(record.id) == record
