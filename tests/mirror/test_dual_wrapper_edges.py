"""The dual wrapper's edges (cutover/mirror/dual.py): what it refuses loudly, what it records instead of raising, and
which store it names, so a one-line change to any of them fails here."""

import logging
from unittest import mock

import pytest

from accounts import services as accounts
from accounts.models import User
from accounts.records import UserRecord
from cutover.factory import repository_for
from cutover.mirror.breaker import mongo_breaker
from cutover.models import MirrorOutboxEntry, ShadowMismatch
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from tests.factories import a_user

PostgresAuthRepository = domain_spec("auth").postgres_repository_class()

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("mode", "store"), [("dual", "dual:postgres"), ("dual_mongo_primary", "dual:mongo")])
def test_the_wrapper_names_its_primary(mode, store):
    set_store_mode("auth", mode)
    assert repository_for("auth").store == store


def test_a_method_the_port_does_not_sort_is_a_loud_error():
    set_store_mode("auth", "dual")
    with pytest.raises(AttributeError, match=r"^AuthRepository has no read or write method 'purge_everything'$"):
        repository_for("auth").purge_everything  # noqa: B018


def test_a_write_that_does_not_return_its_record_is_refused_and_rolled_back():
    """The outbox needs the changed record's id: a write method returning anything else is a bug, raised inside the
    transaction, so the write it made is rolled back with it."""
    user = a_user(display_name="Before")
    set_store_mode("auth", "dual")
    original = PostgresAuthRepository.update_user

    def returns_no_record(self, user_id, **changes):  # None would mean "nothing changed", which is legal
        original(self, user_id, **changes)
        return "done"

    with (
        mock.patch.object(PostgresAuthRepository, "update_user", returns_no_record),
        pytest.raises(TypeError, match=r"^write method update_user must return the record\(s\) it changed, got 'done'"),
    ):
        accounts.user_update(user_id=user.id, display_name="After")
    assert User.objects.get(pk=user.id).display_name == "Before"
    assert not MirrorOutboxEntry.objects.exists()


def test_a_write_that_returns_a_list_mirrors_each_record():
    set_store_mode("auth", "dual")
    users = [a_user(display_name=f"U{n}") for n in range(2)]
    original = PostgresAuthRepository.update_user

    def updates_two(self, user_id, **changes):
        return [original(self, user.id, **changes) for user in users]

    with mock.patch.object(PostgresAuthRepository, "update_user", updates_two):
        changed = repository_for("auth").update_user(users[0].id, display_name="Both")
    assert [record.display_name for record in changed] == ["Both", "Both"]
    assert list(MirrorOutboxEntry.objects.order_by("pk").values_list("record_id", flat=True)) == [u.id for u in users]
    assert [domain_spec("auth").backends()["mongo"].get_user(u.id).display_name for u in users] == ["Both", "Both"]


def test_a_failed_postgres_mirror_that_cannot_even_be_recorded_is_not_acknowledged(caplog):
    """In dual_mongo_primary the Mongo write is made; if neither its Postgres copy nor its outbox row can be
    written, the write is raised, not acknowledged: a switch of primary could not know about it (the fence)."""
    set_store_mode("auth", "dual_mongo_primary")
    with (
        mock.patch("cutover.mirror.dual.mirror_record", side_effect=RuntimeError("mirror failed")),
        mock.patch("cutover.mirror.dual.outbox_enqueue", side_effect=RuntimeError("postgres down")),
        caplog.at_level(logging.WARNING, logger="cutover.mirror.dual"),
        pytest.raises(RuntimeError, match="postgres down"),
    ):
        accounts.user_register(email="m@example.com", password_hash="h")
    assert domain_spec("auth").backends()["mongo"]._find_one(UserRecord, {"email": "m@example.com"}) is not None
    assert not User.objects.filter(email="m@example.com").exists()
    warnings = [record.getMessage() for record in caplog.records if record.name == "cutover.mirror.dual"]
    assert len(warnings) == 1 and warnings[0].endswith("failed: mirror failed")


def test_a_failed_postgres_mirror_is_kept_in_the_outbox_for_the_repair_task():
    set_store_mode("auth", "dual_mongo_primary")
    with mock.patch("cutover.mirror.dual.mirror_record", side_effect=RuntimeError("mirror failed")):
        user = accounts.user_register(email="n@example.com", password_hash="h")
    entry = MirrorOutboxEntry.objects.get()
    assert (entry.domain, entry.collection, entry.record_id, entry.target) == ("auth", "users", user.id, "postgres")
    assert (entry.status, entry.attempts) == ("pending", 1) and "mirror failed" in entry.last_error


def test_shadow_reads_follow_the_percent_and_stop_while_the_breaker_is_open(settings):
    user = a_user()
    set_store_mode("auth", "dual", shadow_read_percent=40)
    calls = []

    def record_call(**kwargs):
        calls.append(kwargs["method"])
        assert kwargs["secondary_call"]() == user  # the secondary answers the same question
        assert (kwargs["domain"], kwargs["primary_store"], kwargs["primary_result"]) == ("auth", "postgres", user)

    with mock.patch("cutover.mirror.dual.shadow_compare", side_effect=record_call):
        for draw, sampled in ((0.399, True), (0.4, False), (0.0, True), (0.999, False)):
            with mock.patch("cutover.mirror.dual.random.random", return_value=draw):
                before = len(calls)
                assert repository_for("auth").get_user(user.id) == user
                assert len(calls) - before == int(sampled), draw
        for _ in range(settings.CUTOVER_BREAKER_FAILURES):  # Mongo is failing: the breaker opens
            mongo_breaker.record_failure()
        assert mongo_breaker.is_open
        with mock.patch("cutover.mirror.dual.random.random", return_value=0.0):
            assert repository_for("auth").get_user(user.id) == user
    assert calls == ["get_user", "get_user"]


def test_no_shadow_read_at_zero_percent_whatever_the_draw():
    user = a_user()
    set_store_mode("auth", "dual", shadow_read_percent=0)
    with (
        mock.patch("cutover.mirror.dual.shadow_compare") as compare,
        mock.patch("cutover.mirror.dual.random.random", return_value=0.0),
    ):
        repository_for("auth").get_user(user.id)
    assert not compare.called
    assert not ShadowMismatch.objects.exists()


def test_a_mongo_primary_write_that_does_not_return_its_record_is_named_in_the_error():
    MongoAuthRepository = domain_spec("auth").mongo_repository_class()

    user = a_user()
    set_store_mode("auth", "dual_mongo_primary")
    with (
        mock.patch.object(MongoAuthRepository, "update_user", return_value="done"),
        pytest.raises(TypeError, match=r"^write method update_user must return the record\(s\) it changed, got 'done'"),
    ):
        accounts.user_update(user_id=user.id, display_name="After")
    assert not MirrorOutboxEntry.objects.exists()


def test_one_percent_of_shadow_reads_is_one_percent():
    user = a_user()
    set_store_mode("auth", "dual", shadow_read_percent=1)
    with mock.patch("cutover.mirror.dual.shadow_compare") as compare:
        for draw in (0.0, 0.0099, 0.01, 0.5):
            with mock.patch("cutover.mirror.dual.random.random", return_value=draw):
                repository_for("auth").get_user(user.id)
    assert compare.call_count == 2
