"""Requests never need Redis: with it down the app keeps serving; a scheduled run fails loudly and the
next one after Redis is back catches up."""

import pytest
import redis

from cutover.factory import repository_for
from cutover.scheduled.runs import run_exclusive
from cutover.testing import set_store_mode
from tests.disputes.factories import dispute_draft

pytestmark = pytest.mark.django_db
CLOSED_REDIS = "redis://127.0.0.1:9/0"


def test_dual_writes_and_reads_work_while_redis_is_down(settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = CLOSED_REDIS
    set_store_mode("dispute", "dual")
    with django_capture_on_commit_callbacks(execute=True) as mirrors:  # what a commit would start runs here
        record = repository_for("dispute").create(dispute_draft())
    assert mirrors  # the write scheduled its mirror, and it ran
    assert repository_for("dispute").get(record.id) == record


def test_a_scheduled_run_without_redis_fails_loudly_then_catches_up(settings, redis_url):
    working = settings.REDIS_URL
    settings.REDIS_URL = CLOSED_REDIS
    with pytest.raises(redis.ConnectionError):
        run_exclusive("test.redis_down", lambda: 3, lock_seconds=30)
    settings.REDIS_URL = working
    assert run_exclusive("test.redis_down", lambda: 3, lock_seconds=30).count == 3
