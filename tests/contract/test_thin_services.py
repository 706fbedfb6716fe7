"""The services that only hand a call to the domain's repository, run in every store mode: each reaches the
store(s) the mode writes and answers what the repository did."""

import pytest

from accounts.services import address_add, address_make_default
from chat.selectors import chat_get
from chat.services import chat_create
from cutover.factory import repository_for
from cutover.modes.registry import domain_spec
from marketplace.services import InvalidMarketplaceInput, offer_set_status
from notifications.services import notification_send, notifications_mark_all_read
from tests.contract.conftest import assert_stores_follow_mode
from tests.factories import a_purchase_request, a_user, an_offer


def test_address_make_default_moves_the_default_to_that_address(mode):
    user = a_user()
    home = address_add(user_id=user.id, address_type="Home", line1="1 Rue", city="Paris", country="FR")
    work = address_add(user_id=user.id, address_type="Other", line1="2 Weg", city="Köln", country="DE")
    made = address_make_default(address_id=work.id)
    assert (made.id, made.is_default) == (work.id, True)
    addresses = repository_for("address").list_addresses(user.id)
    assert [(address.id, address.is_default) for address in addresses] == [(home.id, False), (work.id, True)]
    assert_stores_follow_mode("address", mode, addresses)


def test_offer_set_status_changes_only_to_a_known_status(mode):
    offer = an_offer()
    paused = offer_set_status(offer_id=offer.id, status="paused")
    assert (paused.id, paused.status) == (offer.id, "paused")
    stores = domain_spec("marketplace").backends()
    for store, written in (("mongo", mode.writes_mongo), ("postgres", mode.writes_postgres)):
        held = stores[store].get_snapshot("selleroffers", offer.id)
        assert held == paused if written else held.status == "active", store  # the offer was in both stores
    with pytest.raises(InvalidMarketplaceInput, match="status must be one of"):
        offer_set_status(offer_id=offer.id, status="deleted")


def test_notifications_mark_all_read_counts_only_that_users_unread(mode):
    user, other = a_user(), a_user()
    for title in ("a", "b"):
        notification_send(user_id=user.id, type="t", title=title)
    untouched = notification_send(user_id=other.id, type="t", title="c")
    assert notifications_mark_all_read(user_id=user.id) == 2
    assert notifications_mark_all_read(user_id=user.id) == 0  # nothing left unread: a legal no-op
    assert repository_for("notification").get_notification(untouched.id).is_read is False


def test_chat_get_reads_the_chat_or_none(mode):
    request = a_purchase_request()
    chat = chat_create(participant_ids=[request.buyer_id, request.seller_id], purchase_request_id=request.id)
    assert chat_get(chat_id=chat.id) == chat
    assert chat_get(chat_id="0" * 24) is None
