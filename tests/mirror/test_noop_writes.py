"""Issue 8 item 9: writes that change nothing are legal in every mode."""

import pytest
from bson import ObjectId

from cutover.factory import repository_for
from cutover.modes.store_mode import MIGRATION_ORDER
from cutover.testing import set_store_mode


@pytest.mark.parametrize("mode", MIGRATION_ORDER, ids=lambda mode: mode.value)
def test_deleting_what_is_gone_is_legal(db, django_capture_on_commit_callbacks, mode):
    for domain in ("auth", "address", "notification"):
        set_store_mode(domain, mode)
    with django_capture_on_commit_callbacks(execute=True):  # the mirrors a commit would start run here too
        assert repository_for("auth").delete_verification(str(ObjectId())) is None
        assert repository_for("address").delete_address(str(ObjectId())) == []
        assert repository_for("notification").mark_all_read(user_id=str(ObjectId())) == []
