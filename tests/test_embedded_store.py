"""The embedded legacy store (litemongo) under the threads and processes the README runs:
a client per thread, and each write atomic across processes, as on a real MongoDB."""

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from pymongo.errors import DuplicateKeyError

from escrow_project.mongo import mongo_database, reset_mongo_clients
from tests.conftest import ROOT

PROCESSES = 4
INCREMENTS = 150

# Each process: wait for the start file (so all run at once), then race on one document in three
# ways a real MongoDB makes atomic: $inc, a guarded compare-and-swap (as MongoBackend._update does,
# with retries), and an insert into a unique index. Prints what it was told it did.
WORKER = textwrap.dedent(
    """
    import os, sys, time
    from pymongo.errors import DuplicateKeyError
    from escrow_project.mongo import mongo_database

    url, start, me = sys.argv[1], sys.argv[2], sys.argv[3]
    deadline = time.monotonic() + 60
    while not os.path.exists(start) and time.monotonic() < deadline:
        time.sleep(0.01)
    things = mongo_database(url).things
    swapped = 0
    for _ in range(int(sys.argv[4])):
        things.update_one({"_id": "counter"}, {"$inc": {"n": 1}})
        while True:
            seen = things.find_one({"_id": "cas"})["n"]
            if things.update_one({"_id": "cas", "n": seen}, {"$set": {"n": seen + 1}}).matched_count:
                swapped += 1
                break
    try:
        things.insert_one({"_id": "claim-" + me, "key": "only-one"})
        claimed = 1
    except DuplicateKeyError:
        claimed = 0
    print(swapped, claimed)
    """
)


@pytest.fixture
def store_url(tmp_path):
    url = f"litemongo://{tmp_path / 'mongo'}"
    things = mongo_database(url).things
    things.insert_many([{"_id": "counter", "n": 0}, {"_id": "cas", "n": 0}])
    things.create_index("key", unique=True, partialFilterExpression={"key": {"$type": "string"}})
    yield url
    reset_mongo_clients()


def test_writes_from_several_processes_are_each_atomic(store_url, tmp_path):
    start = tmp_path / "start"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "escrow_project.settings", "CUTOVER_LOG_LEVEL": "WARNING"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, store_url, str(start), str(number), str(INCREMENTS)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in range(PROCESSES)
    ]
    start.touch()
    results = [worker.communicate(timeout=120) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), [error for _, error in results]
    swapped, claimed = (sum(int(out.split()[column]) for out, _ in results) for column in (0, 1))

    things = mongo_database(store_url).things
    assert things.find_one({"_id": "counter"})["n"] == PROCESSES * INCREMENTS  # no $inc lost
    assert things.find_one({"_id": "cas"})["n"] == swapped == PROCESSES * INCREMENTS  # no swap acknowledged twice
    assert claimed == 1 and things.count_documents({"key": "only-one"}) == 1  # the unique index held


def test_each_thread_gets_its_own_client_and_writes_stay_atomic(store_url):
    failures: list[BaseException] = []
    clients = set()

    def increment() -> None:
        try:
            database = mongo_database(store_url)
            clients.add(id(database.client))
            for _ in range(INCREMENTS):
                database.things.update_one({"_id": "counter"}, {"$inc": {"n": 1}})
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=increment) for _ in range(PROCESSES)]
    for thread in threads:
        thread.start()
    increment()  # and the thread that built the first client (the request thread beside the mirror thread)
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []  # before: ProgrammingError, SQLite objects created in a thread ...
    assert len(clients) == PROCESSES + 1
    assert mongo_database(store_url).things.find_one({"_id": "counter"})["n"] == (PROCESSES + 1) * INCREMENTS


def test_a_reset_reaches_other_threads_clients(store_url):
    """After reset_mongo_clients a thread builds a new client on its next use (the old one it
    closes itself: SQLite allows no other thread to)."""
    seen = []
    go, done = threading.Event(), threading.Event()

    def use_twice() -> None:
        seen.append(mongo_database(store_url).client)
        go.wait(timeout=30)
        seen.append(mongo_database(store_url).client)
        done.set()

    thread = threading.Thread(target=use_twice)
    thread.start()
    deadline = time.monotonic() + 30
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    reset_mongo_clients()
    go.set()
    assert done.wait(timeout=30)
    thread.join()
    assert seen[0] is not seen[1]


def test_a_duplicate_key_is_still_raised_through_the_lock(store_url):
    things = mongo_database(store_url).things
    things.insert_one({"_id": "a", "key": "k"})
    with pytest.raises(DuplicateKeyError):
        things.insert_one({"_id": "b", "key": "k"})
