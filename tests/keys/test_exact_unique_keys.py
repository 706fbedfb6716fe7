"""Keys compared exactly (README, "Keys compared as the legacy app compared them": category and blog slugs, ledger
references): a value is unique across both stores in every mode that has two, as an email's key is
(tests/keys/test_folded_emails.py), and two values that differ only in case are two values."""

import pytest

from blog.services import post_create
from cutover.modes.store_mode import StoreMode
from cutover.store.backends.errors import UniqueConflict
from cutover.testing import set_store_mode
from ledger.services import ledger_append
from marketplace.services import category_create
from tests.factories import a_user

pytestmark = pytest.mark.django_db(transaction=True)


def _category(slug: str, user):
    return category_create(name="Games", slug=slug)


def _post(slug: str, user):
    return post_create(slug=slug, title="A post", body="", author_id=user.id)


def _entry(reference: str, user):  # a reference is unique per user
    return ledger_append(
        user_id=user.id, entry_type="deposit", direction="credit", amount="1", currency="USDT", reference=reference
    )


@pytest.fixture
def user():
    set_store_mode("auth", StoreMode.DUAL)
    return a_user()


WRITES = {
    "marketplace": (_category, "games", "Games"),
    "blog": (_post, "first-post", "First-Post"),
    "ledger": (_entry, "deposit-1", "Deposit-1"),
}
WITH_TWO_STORES = [StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL]


def _follower(mode: StoreMode) -> StoreMode:
    return StoreMode.POSTGRES if mode in (StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY) else StoreMode.MONGO


@pytest.mark.parametrize("mode", WITH_TWO_STORES, ids=lambda mode: mode.value)
@pytest.mark.parametrize("domain", sorted(WRITES))
def test_a_value_only_the_other_store_holds_is_refused_in_every_mode_with_two_stores(domain, mode, user):
    write, value, _ = WRITES[domain]
    follower = _follower(mode)
    set_store_mode(domain, follower)  # written there alone: a mirror still pending, a legacy write
    held = write(value, user)
    set_store_mode(domain, mode)
    with pytest.raises(UniqueConflict, match=f"is taken \\(in the {follower.value} store\\) by {held.id}"):
        write(value, user)


@pytest.mark.parametrize("domain", ["marketplace", "ledger"])
def test_a_value_either_store_holds_is_compared_exactly(domain, user):
    """Not folded: the legacy app compared these exactly, so a value in another case is another value.
    (A blog slug is lowercase by rule, so its other case never reaches the store.)"""
    write, value, other_case = WRITES[domain]
    set_store_mode(domain, StoreMode.DUAL)
    first = write(value, user)
    second = write(other_case, user)
    assert first.id != second.id
    with pytest.raises(UniqueConflict):
        write(value, user)
