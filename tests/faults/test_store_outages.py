"""Each store going away during dual writes, on real PostgreSQL (and Redis): every write either is
acknowledged and, after repair, in both stores alike, or is refused to its caller; nothing is lost.
Mongo down is real pymongo against a closed port; Postgres down is a closed port, or this test's own
backend terminated (pg_terminate_backend) in the middle of a write; Redis down is a closed port."""

from contextlib import contextmanager
from unittest import mock

import pytest
import redis
from django.db import Error as DatabaseError
from django.db import connection, connections
from pymongo.errors import PyMongoError

from accounts import services as accounts
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from escrow_project.db_roles import OWNER_ALIAS
from tests.factories import a_user
from tests.faults.helpers import differing_records, repair_everything

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", OWNER_ALIAS])
DUAL_MODES = ["dual", "dual_mongo_primary"]
CLOSED_REDIS = "redis://127.0.0.1:9/0"


def _names(ids) -> dict:
    stores = domain_spec("auth").backends()
    return {
        i: (
            stores["postgres"].get_snapshot("users", i).display_name,
            stores["mongo"].get_snapshot("users", i).display_name,
        )
        for i in ids
    }


def _update(user_id: str, name: str) -> bool:
    """True when the write was acknowledged (returned), False when refused to the caller."""
    try:
        accounts.user_update(user_id=user_id, display_name=name)
    except (PyMongoError, DatabaseError):
        connection.close()  # what the request cycle does with a broken connection
        return False
    return True


@contextmanager
def postgres_unreachable():
    """The app's connection points at a closed port."""
    params = connection.get_connection_params
    connection.close()
    with mock.patch.object(connection, "get_connection_params", lambda: {**params(), "host": "127.0.0.1", "port": 9}):
        yield
    connection.close()


def _terminate_own_backend() -> None:
    pid = connection.connection.info.backend_pid
    with connections[OWNER_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.parametrize("mode", DUAL_MODES)
def test_mongo_down_during_dual_writes(mode, mongo_outage):
    users = [a_user() for _ in range(6)]
    set_store_mode("auth", mode)
    acknowledged = {}
    for round_, phase in enumerate(["before", "outage", "after"]):
        if phase == "outage":
            mongo_outage.start()
        if phase == "after":
            mongo_outage.end()
        for user in users:
            name = f"{phase}-{round_}"
            if _update(user.id, name):
                acknowledged[user.id] = name
    repair_everything()
    assert differing_records("auth", "users", [u.id for u in users]) == []
    assert {i: names[0] for i, names in _names(acknowledged).items()} == acknowledged  # the last acknowledged
    assert not MirrorOutboxEntry.objects.exclude(status="done").exists()
    if mode == "dual":  # Postgres leads: every write during the outage was acknowledged and mirrored later
        assert MirrorOutboxEntry.objects.filter(status="done").count() >= 6


def test_mongo_down_in_mongo_primary_refuses_writes_and_leaves_postgres_alone(mongo_outage):
    user = a_user(display_name="Before")
    set_store_mode("auth", "dual_mongo_primary")
    mongo_outage.start()
    assert not _update(user.id, "During")
    mongo_outage.end()
    assert _names([user.id]) == {user.id: ("Before", "Before")}


@pytest.mark.parametrize("mode", DUAL_MODES)
def test_postgres_unreachable_refuses_writes_and_leaves_mongo_alone(mode):
    users = [a_user(display_name="Before") for _ in range(3)]
    set_store_mode("auth", mode)
    with postgres_unreachable():
        assert [_update(u.id, "During") for u in users] == [False] * 3
    assert _names([u.id for u in users]) == {u.id: ("Before", "Before") for u in users}
    assert all(_update(u.id, "After") for u in users)
    repair_everything()
    assert _names([u.id for u in users]) == {u.id: ("After", "After") for u in users}


def test_postgres_backend_killed_mid_write_in_dual_leaves_no_trace():
    user = a_user(display_name="Before")
    set_store_mode("auth", "dual")
    import cutover.mirror.dual

    original = cutover.mirror.dual.outbox_enqueue

    def killed(**kwargs):
        _terminate_own_backend()
        return original(**kwargs)

    with mock.patch("cutover.mirror.dual.outbox_enqueue", side_effect=killed):
        assert not _update(user.id, "Lost")
    assert _names([user.id]) == {user.id: ("Before", "Before")}  # refused: in neither store
    assert _update(user.id, "After")
    repair_everything()
    assert _names([user.id]) == {user.id: ("After", "After")}


def test_postgres_backend_killed_mid_write_in_mongo_primary_is_repaired_by_the_backfill():
    """Mongo took the write, then Postgres died before the mirror committed: the caller is refused (not
    acknowledged); Mongo, the authoritative store, has it, and the forward backfill brings Postgres level."""
    from cutover.backfill.service import backfill_domain

    user = a_user(display_name="Before")
    set_store_mode("auth", "dual_mongo_primary")
    import cutover.mirror.dual

    original = cutover.mirror.dual.mirror_record

    def killed(*args):
        _terminate_own_backend()
        return original(*args)

    with mock.patch("cutover.mirror.dual.mirror_record", side_effect=killed):
        assert not _update(user.id, "Mongo only")
    assert _names([user.id]) == {user.id: ("Before", "Mongo only")}
    backfill_domain("auth")
    assert differing_records("auth", "users", [user.id]) == []
    assert _names([user.id]) == {user.id: ("Mongo only", "Mongo only")}


@pytest.mark.parametrize("mode", DUAL_MODES)
def test_redis_down_writes_go_on_and_the_scheduled_repair_catches_up(mode, settings, redis_url, mongo_outage):
    from cutover.scheduled.tasks import SCHEDULED

    repair_mirror_outbox = SCHEDULED["cutover.repair_mirror_outbox"]

    users = [a_user() for _ in range(4)]
    set_store_mode("auth", mode)
    settings.REDIS_URL = settings.CELERY_BROKER_URL = CLOSED_REDIS
    acknowledged = {u.id: f"redis-down-{i}" for i, u in enumerate(users) if _update(u.id, f"redis-down-{i}")}
    assert len(acknowledged) == 4  # requests never need Redis
    if mode == "dual":
        mongo_outage.start()  # something for the repair to do
        assert _update(users[0].id, "both-down")
        acknowledged[users[0].id] = "both-down"
        mongo_outage.end()
        MirrorOutboxEntry.objects.update(next_attempt_at=MirrorOutboxEntry.objects.first().created_at)
    with pytest.raises(redis.ConnectionError):
        repair_mirror_outbox()  # the scheduled run fails loudly while Redis is down
    settings.REDIS_URL = settings.CELERY_BROKER_URL = redis_url
    repair_mirror_outbox()  # and the next one catches up
    assert not MirrorOutboxEntry.objects.filter(status="pending").exists()
    assert differing_records("auth", "users", acknowledged) == []
    assert {i: names[0] for i, names in _names(acknowledged).items()} == acknowledged
