"""README, "Money exact": an app write of an amount finer than the money columns, or of text with a NUL character
(which PostgreSQL cannot store), is refused in every mode, naming the field, before either store has it. Never
rounded, never accepted in Mongo alone (tests/values/test_money.py and test_app_inputs.py show what the
stores then hold either way; here the refusal itself is the promise)."""

from decimal import Decimal

import pytest

from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.store.legacy import LegacyValueError
from cutover.testing import set_store_mode
from ledger.services import ledger_append
from notifications.services import notification_send
from tests.factories import a_user

pytestmark = pytest.mark.django_db(transaction=True)
MODES = [pytest.param(mode, id=mode.value) for mode in MIGRATION_ORDER]


@pytest.fixture
def user():
    set_store_mode("auth", StoreMode.DUAL)
    return a_user()


@pytest.mark.parametrize("mode", MODES)
def test_an_amount_finer_than_the_columns_is_refused_never_rounded(mode, user):
    set_store_mode("ledger", mode)
    with pytest.raises(LegacyValueError, match="amount"):
        ledger_append(
            user_id=user.id,
            entry_type="deposit",
            direction="credit",
            amount=Decimal("0.1234567890123456789"),  # 19 decimals: the columns hold 18
            currency="ETH",
            reference="r1",
        )
    for store in domain_spec("ledger").backends().values():
        assert store.list_entries(user_id=user.id) == [], store


@pytest.mark.parametrize("mode", MODES)
def test_text_with_a_nul_is_refused(mode, user):
    set_store_mode("notification", mode)
    with pytest.raises(LegacyValueError, match="title"):
        notification_send(user_id=user.id, type="system", title="a\x00b")
    with pytest.raises(LegacyValueError, match="data"):
        notification_send(user_id=user.id, type="system", title="t", data={"k": ["a\x00b"]})
    for store in domain_spec("notification").backends().values():
        assert store.list_notifications(user_id=user.id) == [], store
