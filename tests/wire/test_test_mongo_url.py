"""TEST_MONGO_URL selects the real client path (tests/real_mongo.py): the tests it names get the app's pymongo
client on that server, in the run's own database, emptied after the test; a server that does not answer fails
the test saying so (never a quiet fallback to mongomock); unset, every test keeps its mongomock store."""

import pymongo.database
import pytest

from escrow_project.mongo import mongo_database
from tests import real_mongo
from tests.conftest import CLOSED_PORT_MONGO_URL

CONTRACT_TEST = "tests/contract/test_accounts_contract.py"


def test_unset_every_test_keeps_its_mongomock_store(settings, monkeypatch):
    monkeypatch.delenv("TEST_MONGO_URL", raising=False)
    assert not real_mongo.runs_on_the_server(CONTRACT_TEST)
    assert settings.MONGO_URL.startswith("mongomock://")  # this test's own store, from isolated_mongo


def test_the_server_tests_are_the_contract_values_round_trip_and_backfill_ones(monkeypatch):
    monkeypatch.setenv("TEST_MONGO_URL", CLOSED_PORT_MONGO_URL)
    chosen = [
        CONTRACT_TEST,
        "tests/values/test_mongo_semantics.py",
        "tests/backfill/test_backfill_runs.py",
        "tests/settings_store/test_config_json_round_trip.py",
    ]
    assert all(real_mongo.runs_on_the_server(path) for path in chosen)
    assert not any(
        real_mongo.runs_on_the_server(p) for p in ("tests/faults/test_store_outages.py", "tests/test_smoke_live.py")
    )


def test_a_server_that_does_not_answer_fails_the_test_saying_so(settings, monkeypatch):
    monkeypatch.setenv("TEST_MONGO_URL", "mongodb://someone:secret@127.0.0.1:9/?replicaSet=rs0")
    with pytest.raises(pytest.fail.Exception) as failed, real_mongo.server_store(settings):
        pytest.fail("never reached: the server did not answer")
    said = str(failed.value)
    assert said.startswith("TEST_MONGO_URL=mongodb://127.0.0.1:9/?replicaSet=rs0 did not answer (ServerSelection"), said
    assert "unset TEST_MONGO_URL to run on mongomock" in said and "secret" not in said


def test_a_server_gets_the_apps_real_client_in_the_runs_database(settings, monkeypatch, wire, transactional_db):
    monkeypatch.setenv("TEST_MONGO_URL", f"mongodb://127.0.0.1:{wire.server.port}/?directConnection=true")
    with real_mongo.server_store(settings) as database:
        assert settings.MONGO_URL.endswith(f"/{real_mongo.RUN_DATABASE}?directConnection=true")
        assert isinstance(database, pymongo.database.Database) and database.name == real_mongo.RUN_DATABASE
        assert mongo_database() is not None and mongo_database().client.address == ("127.0.0.1", wire.server.port)
        mongo_database().things.insert_one({"_id": 1})
        assert wire.backing.things.find_one({"_id": 1}) == {"_id": 1}  # the write crossed the wire
        assert [doc["$db"] for doc in wire.commands if "insert" in doc] == [real_mongo.RUN_DATABASE]
    assert {"drop": "things"}.items() <= next(doc for doc in wire.commands if "drop" in doc).items()  # emptied after
    assert "things" not in wire.backing.list_collection_names()


def test_the_readme_names_the_tests_that_run_on_the_server_and_says_none_ran_here():
    from tests.conftest import ROOT

    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "no test here has run against one" in readme
    assert "The contract, value, round-trip and backfill tests then use the app's pymongo client" in readme
    assert real_mongo.REAL_SERVER_DIRECTORIES == ("contract", "values", "backfill")  # what that sentence says
    assert real_mongo.REAL_SERVER_FILE_MARK == "round_trip"
