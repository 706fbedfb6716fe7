"""`backfill --all` and `verify --all` go on to the next domain after one with rejects or a failure of its own
(issue case 4: one chat with `messages: null` stopped both at chat, as if Mongo were away, and no later domain
was migrated); only an outage of a store stops them, saying what was not run. Exit 1 with a summary."""

import pytest
from bson import ObjectId
from django.core.management import call_command
from django.core.management.base import CommandError
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError

from cutover.backfill import service
from cutover.management.commands import verify as verify_command
from cutover.models import BackfillRun, VerifyResult
from cutover.store.legacy import now_ms
from escrow_project.mongo import mongo_database
from settings_store.models import Config
from tests import strict_mongo
from tests.chat.legacy_chats import legacy_chat


@pytest.fixture
def chat_with_null_messages(transactional_db):
    """A chat whose `messages` is null, and a config: the config domain comes after chat."""
    database = mongo_database()
    chat = legacy_chat(database, messages=3)
    database.chats.update_one({"_id": chat["_id"]}, {"$set": {"messages": None}})
    at = now_ms()
    database.configs.insert_one({"_id": ObjectId(), "key": "fees", "value": 1, "createdAt": at, "updatedAt": at})
    return chat


def _exit(command: str, *args: str) -> tuple[int, str]:
    try:
        call_command(command, *args)
    except CommandError as error:
        return error.returncode, str(error)
    return 0, ""


def test_backfill_all_goes_on_past_a_chat_with_null_messages(chat_with_null_messages, monkeypatch):
    # the embedded stand-in as the issue ran it: mongomock raises OperationFailure for `$slice` of a null
    monkeypatch.setattr(
        strict_mongo._Collection, "_apply_projection_operators", strict_mongo.MONGOMOCK_PROJECTION_OPERATORS
    )
    code, said = _exit("backfill", "--all")
    assert code == 1
    assert said == "chat: finished, 1 rejected (see admin: Backfill rejects)", said
    assert "did not answer" not in said
    assert Config.objects.filter(key="fees").exists()  # a later domain was migrated
    assert BackfillRun.objects.get(domain="config").status == "finished"

    code, said = _exit("verify", "--all")
    assert (code, said) == (1, "verify failed for: chat")
    assert VerifyResult.objects.get(domain="config").passed


def test_a_domains_own_failure_does_not_stop_the_next_domains(chat_with_null_messages, monkeypatch):
    real = service.backfill_domain

    def failing_at_chat(domain, **kwargs):
        if domain == "chat":
            raise OperationFailure("Unsupported type NoneType for slicing", 2)
        return real(domain, **kwargs)

    monkeypatch.setattr(service, "backfill_domain", failing_at_chat)
    code, said = _exit("backfill", "--all")
    assert code == 1
    assert said.startswith("chat: failed, the legacy Mongo store refused a query (OperationFailure code 2"), said
    assert "did not answer" not in said
    assert Config.objects.filter(key="fees").exists()

    real_verify = verify_command.verify_domain

    def verify_failing_at_chat(domain, **kwargs):
        if domain == "chat":
            raise OperationFailure("Unsupported type NoneType for slicing", 2)
        return real_verify(domain, **kwargs)

    monkeypatch.setattr(verify_command, "verify_domain", verify_failing_at_chat)
    code, said = _exit("verify", "--all")
    assert code == 1 and "verify of chat stopped: the legacy Mongo store refused a query" in said
    assert VerifyResult.objects.filter(domain="config").exists()


def test_an_outage_still_stops_the_run_and_names_the_domains_not_run(chat_with_null_messages, monkeypatch):
    real = service.backfill_domain

    def away_at_chat(domain, **kwargs):
        if domain == "chat":
            raise ServerSelectionTimeoutError("127.0.0.1:27017: connection refused")
        return real(domain, **kwargs)

    monkeypatch.setattr(service, "backfill_domain", away_at_chat)
    code, said = _exit("backfill", "--all")
    assert code == 1
    assert said.startswith("backfill of chat stopped: the legacy Mongo store did not answer (ServerSelection"), said
    assert "Not run: level_config, shop_settings, config." in said
    assert not Config.objects.exists()
