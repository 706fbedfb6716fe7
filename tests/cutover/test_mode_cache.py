"""Resolving a repository is on the hot path: no query while the cache is fresh,
and a change made elsewhere is seen within CUTOVER_MODE_CACHE_SECONDS."""

import threading

import pytest
from django.db import connection

from cutover.factory import repository_for
from cutover.models import DomainStoreMode
from cutover.modes.cache import current_mode
from cutover.modes.store_mode import StoreMode

pytestmark = pytest.mark.django_db(transaction=True)


def _change_elsewhere(mode: str) -> None:
    """Another process's change: its own connection, committed."""

    def run():
        DomainStoreMode.objects.filter(domain="dispute").update(mode=mode)
        connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def test_no_query_while_fresh(django_assert_num_queries, settings):
    settings.CUTOVER_MODE_CACHE_SECONDS = 60
    repository_for("dispute")
    with django_assert_num_queries(0):
        for _ in range(100):
            repository_for("dispute")


def test_a_change_elsewhere_is_seen_after_the_cache_period(settings, monkeypatch):
    from cutover.modes import cache

    settings.CUTOVER_MODE_CACHE_SECONDS = 2
    now = [1000.0]
    monkeypatch.setattr(cache, "clock", lambda: now[0])
    assert current_mode("dispute") is StoreMode.MONGO
    _change_elsewhere("dual_mongo_primary")
    now[0] += 1.9
    assert current_mode("dispute") is StoreMode.MONGO  # cached, still within the period
    now[0] += 0.2
    assert current_mode("dispute") is StoreMode.DUAL_MONGO_PRIMARY
