"""The background mirror's relay child reads its database from DATABASE_URL, its parent may use another one
(settings changed in the parent; a test run's test database): it must never mirror that other database's
outbox (into the parent's Mongo, marking its entries done there)."""

import subprocess
from unittest import mock
from urllib.parse import urlparse, urlunparse

from cutover.mirror import relay_child
from cutover.mirror.dispatch import dispatcher
from cutover.models import MirrorOutboxEntry
from cutover.testing import database_url_for_other_processes
from tests.conftest import other_process_env
from tests.cutover.fence_helpers import poll
from tests.cutover.test_relay_child import background, pytestmark  # noqa: F401 (the fixture, the db marker)
from tests.disputes.factories import dispute_draft


def _another_database_on_the_server() -> str:
    return urlunparse(urlparse(database_url_for_other_processes())._replace(path="/postgres"))


def test_a_child_whose_database_url_names_another_database_refuses_to_start(background):  # noqa: F811
    started = []
    real_popen = relay_child.subprocess.Popen

    def recorded(command, **kwargs):
        started.append((command, kwargs["env"]))
        return real_popen(command, **kwargs)

    dispatcher.child.env = other_process_env(DATABASE_URL=_another_database_on_the_server())
    with mock.patch.object(relay_child.subprocess, "Popen", recorded):
        record = background.create(dispute_draft())
        assert poll(lambda: dispatcher.child.pid is None, seconds=60)
    assert len(started) == 1
    command, env = started[0]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "its parent's" in result.stderr, result.stderr[-2000:]
    assert MirrorOutboxEntry.objects.get(record_id=record.id).status == "pending"  # left for the repair task
