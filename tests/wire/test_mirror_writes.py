"""Mirror writes over the wire (issue 30): the app's own pymongo client (MONGO_URL) against a MockupDB server
that steps down (NotWritablePrimary) or answers with a writeConcernError. A write is acknowledged only once
its leading store took it; the Mongo copy of a Postgres-led write is retried or left pending in the outbox,
never lost, and never marked done on a write the server did not acknowledge; the breaker opens after
CUTOVER_BREAKER_FAILURES failures in a row and lets a trial through after its cooldown."""

import pytest
from django.db import connection
from pymongo.errors import NotPrimaryError, PyMongoError, WriteConcernError

from accounts import services as accounts
from cutover.mirror.breaker import mongo_breaker
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from escrow_project.db_roles import OWNER_ALIAS
from escrow_project.mongo import mongo_database, reset_mongo_clients
from tests.factories import a_user
from tests.faults.helpers import differing_records, repair_everything
from tests.wire.wire_store import NOT_WRITABLE_PRIMARY

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", OWNER_ALIAS])

# The write was applied on the primary but not replicated as asked: pymongo raises WriteConcernError.
WRITE_CONCERN_FAILED = {
    "ok": 1,
    "n": 1,
    "nModified": 1,
    "writeConcernError": {"code": 64, "codeName": "WriteConcernFailed", "errmsg": "waiting for replication timed out"},
}


def _user_updates(doc: dict) -> bool:
    return doc.get("update") == "users"


@pytest.fixture
def users_over_the_wire(settings, wire):
    """Two users in both stores; then the app's MONGO_URL is the wire server in front of the same documents."""
    set_store_mode("auth", "dual")
    users = [a_user(), a_user()]
    settings.MONGO_URL = wire.uri
    settings.MONGO_TIMEOUT_MS = 1000
    reset_mongo_clients()
    assert mongo_database().client.address == ("127.0.0.1", wire.server.port)  # the real client, on a socket
    yield [user.id for user in users]
    reset_mongo_clients()


def _update(user_id: str, name: str) -> bool:
    """True when the write was acknowledged to its caller."""
    try:
        accounts.user_update(user_id=user_id, display_name=name)
    except PyMongoError:
        connection.close()
        return False
    return True


def _names(user_id: str) -> tuple[str | None, str | None]:
    stores = domain_spec("auth").backends()
    return tuple(
        getattr(stores[side].get_snapshot("users", user_id), "display_name", None) for side in ("postgres", "mongo")
    )


def _pending() -> list[MirrorOutboxEntry]:
    return list(MirrorOutboxEntry.objects.filter(status="pending"))


@pytest.mark.parametrize("mode", ["dual", "dual_mongo_primary"])
def test_one_step_down_is_retried_by_the_client_and_the_write_lands_in_both_stores(mode, wire, users_over_the_wire):
    user_id = users_over_the_wire[0]
    set_store_mode("auth", mode)
    wire.fail(_user_updates, NOT_WRITABLE_PRIMARY)  # once: the retryable write goes to the new primary
    assert _update(user_id, "after the election")
    assert _names(user_id) == ("after the election", "after the election")
    assert sum(_user_updates(doc) for doc in wire.commands) == 2  # the refused write, then its retry
    assert _pending() == [] and not mongo_breaker.is_open


def test_a_primary_that_stays_away_leaves_dual_copies_pending_and_opens_the_breaker(
    settings, wire, users_over_the_wire
):
    settings.CUTOVER_BREAKER_FAILURES = 2
    set_store_mode("auth", "dual")
    wire.fail(_user_updates, NOT_WRITABLE_PRIMARY, times=1000)
    for round_ in range(4):
        assert _update(users_over_the_wire[round_ % 2], f"during {round_}")  # Postgres leads: acknowledged
    assert mongo_breaker.is_open
    tried = sum(_user_updates(doc) for doc in wire.commands)
    assert tried == 4  # two copies (each tried and retried once), then the breaker skipped the others
    assert {entry.record_id for entry in _pending()} == set(users_over_the_wire)  # none lost, none done

    wire.heal()  # a new primary
    settings.CUTOVER_BREAKER_COOLDOWN_SECONDS = 0  # the cooldown is over: a trial goes through and succeeds
    repair_everything()
    assert not mongo_breaker.is_open
    assert [_names(user_id) for user_id in users_over_the_wire] == [("during 2", "during 2"), ("during 3", "during 3")]
    assert differing_records("auth", "users", users_over_the_wire) == []


def test_a_primary_that_stays_away_refuses_a_mongo_led_write(wire, users_over_the_wire):
    user_id = users_over_the_wire[0]
    before = _names(user_id)
    set_store_mode("auth", "dual_mongo_primary")
    wire.fail(_user_updates, NOT_WRITABLE_PRIMARY, times=1000)
    with pytest.raises(NotPrimaryError):
        accounts.user_update(user_id=user_id, display_name="never written")
    connection.close()
    wire.heal()
    assert _names(user_id) == before


def test_a_write_concern_error_on_a_dual_copy_leaves_it_pending(wire, users_over_the_wire):
    user_id = users_over_the_wire[0]
    set_store_mode("auth", "dual")
    wire.fail(_user_updates, WRITE_CONCERN_FAILED)
    assert _update(user_id, "replicated late")  # Postgres leads: the write itself is acknowledged
    (entry,) = _pending()  # the copy is not taken as done: the server did not acknowledge it as asked
    assert entry.record_id == user_id and "waiting for replication timed out" in entry.last_error
    repair_everything()
    assert _names(user_id) == ("replicated late", "replicated late") and _pending() == []


def test_a_write_concern_error_refuses_a_mongo_led_write(wire, users_over_the_wire):
    user_id = users_over_the_wire[0]
    before = _names(user_id)
    set_store_mode("auth", "dual_mongo_primary")
    wire.fail(_user_updates, WRITE_CONCERN_FAILED)
    with pytest.raises(WriteConcernError):
        accounts.user_update(user_id=user_id, display_name="not acknowledged")
    connection.close()
    assert _names(user_id)[0] == before[0]  # no Postgres copy of a write Mongo did not acknowledge
