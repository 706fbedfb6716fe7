"""While Postgres leads, a row whose delete has not reached Mongo (its mirror write pending, or dead after
the retries ran out) is not brought back by a forward backfill: Mongo is behind, not right."""

import pytest

from cutover.backfill.service import backfill_domain
from cutover.factory import repository_for
from cutover.models import MirrorOutboxEntry
from cutover.testing import set_store_mode
from tests.backfill.conftest import postgres_record
from tests.backfill.test_races_and_deletes import _address


@pytest.mark.parametrize("status", [MirrorOutboxEntry.Status.PENDING, MirrorOutboxEntry.Status.DEAD])
def test_a_forward_backfill_does_not_copy_back_a_row_whose_delete_mongo_has_not_seen(legacy, mongo_outage, status):
    address = _address(legacy, legacy.user())
    for domain in ("auth", "address"):
        backfill_domain(domain)
    set_store_mode("address", "dual")
    mongo_outage.start()
    repository_for("address").delete_address(str(address["_id"]))
    mongo_outage.end()
    MirrorOutboxEntry.objects.filter(record_id=str(address["_id"])).update(status=status)
    assert legacy.db.addresses.find_one({"_id": address["_id"]}) is not None  # Mongo is behind
    backfill_domain("address", restart=True)
    assert postgres_record("address", "addresses", address["_id"]) is None
