"""A rollback's reverse backfill removes the Mongo documents whose rows Postgres deleted, never the documents
Postgres never had: a reject, open or acknowledged, was never migrated, so the legacy document is its only copy."""

import pytest

from cutover.backfill.reverse import reverse_backfill_domain
from cutover.backfill.review import ACKNOWLEDGE_PERMISSION, backfill_reject_acknowledge
from cutover.backfill.service import backfill_domain
from cutover.models import BackfillReject
from cutover.testing import set_store_mode
from tests.cutover.helpers import make_user


@pytest.mark.parametrize("acknowledged", [False, True], ids=["open_reject", "acknowledged_reject"])
def test_a_rollback_keeps_the_legacy_documents_that_were_never_migrated(legacy, acknowledged):
    kept = legacy.user(role="wizard")  # not a role: a reject, never a row
    migrated = legacy.user()
    backfill_domain("auth")
    reject = BackfillReject.objects.get(collection="users", record_id=str(kept["_id"]))
    if acknowledged:
        operator = make_user("ops", ACKNOWLEDGE_PERMISSION, "cutover.view_backfillreject")
        backfill_reject_acknowledge(reject_ids=[reject.pk], user=operator, reason="a test account from 2019, kept out")
    set_store_mode("auth", "postgres")
    set_store_mode("auth", "dual")  # the rollback's first step: Postgres still leads while Mongo catches up
    reverse_backfill_domain("auth")
    assert legacy.db.users.find_one({"_id": kept["_id"]}) == kept
    assert legacy.db.users.find_one({"_id": migrated["_id"]}) is not None
