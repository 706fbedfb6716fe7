"""Issue 8 item 4: every document accounted for; open rejects block Postgres leading."""

import pytest

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillReject
from tests.backfill.test_parity_and_preconditions import _step, admin_user  # noqa: F401


def _to_dual_mongo_primary(admin_user):  # noqa: F811  (the fixture, imported above)
    for domain in ("auth", "marketplace", "payment"):
        _step(admin_user, domain, "dual_mongo_primary")
    for domain in ("auth", "marketplace"):
        backfill_domain(domain)
        assert verify_domain(domain).passed
        _step(admin_user, domain, "dual")


def test_verify_counts_a_document_with_an_odd_id(legacy):
    legacy.payment(_id={"weird": 1})
    for domain in ("auth", "marketplace", "payment"):
        backfill_domain(domain)
    assert BackfillReject.objects.filter(status="open", collection="payments").exists()
    assert not verify_domain("payment").passed


def test_open_rejects_block_postgres_leading(legacy, admin_user):  # noqa: F811
    legacy.payment()
    legacy.payment(_id={"weird": 1})
    _to_dual_mongo_primary(admin_user)
    backfill_domain("payment")
    assert BackfillReject.objects.filter(status="open", collection="payments").exists()
    verify_domain("payment")  # passes or not: the move must be refused either way
    from cutover.operations.mode_changes import StoreModeChangeRefused

    with pytest.raises(StoreModeChangeRefused, match="reject"):
        _step(admin_user, "payment", "dual")


def test_an_unreadable_document_blocks_postgres_leading(legacy, admin_user):  # noqa: F811
    """Held, but through verify (unreadable_in_mongo), not through the open reject itself."""
    legacy.payment()
    legacy.payment(amount="ten")
    _to_dual_mongo_primary(admin_user)
    backfill_domain("payment")
    verify_domain("payment")
    from cutover.operations.mode_changes import StoreModeChangeRefused

    with pytest.raises(StoreModeChangeRefused):
        _step(admin_user, "payment", "dual")
