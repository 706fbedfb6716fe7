"""The read-ahead pipeline of the backfill and the time-sized purge batches (issue 15)."""

import threading

import pytest

from cutover.backfill.pipeline import read_ahead
from cutover.scheduled.purge import next_batch_size


def _source(batches):
    data = {None: batches[0]} | {
        batch[-1]["_id"]: following for batch, following in zip(batches, [*batches[1:], []], strict=True)
    }
    fetched = []

    def fetch(after):
        fetched.append(after)
        return data[after]

    return fetch, fetched


def test_batches_come_in_order_transformed_on_a_worker_and_reads_stay_on_the_caller():
    batches = [[{"_id": 1}, {"_id": 2}], [{"_id": 3}], [{"_id": 4}, {"_id": 5}]]
    fetch, fetched = _source(batches)
    threads = set()

    def transform(docs):
        threads.add(threading.current_thread().name)
        return [doc["_id"] * 10 for doc in docs]

    out = list(read_ahead(fetch, transform, None))
    assert out == [(b, [d["_id"] * 10 for d in b]) for b in batches]
    assert fetched == [None, 2, 3, 5]
    assert threads and threading.current_thread().name not in threads


def test_an_unchanged_batch_is_not_transformed():
    batches = [[{"_id": 1}], [{"_id": 2}]]
    fetch, _ = _source(batches)
    out = list(read_ahead(fetch, lambda docs: "t", None, unchanged=lambda after, docs: after is None))
    assert out == [([{"_id": 1}], None), ([{"_id": 2}], "t")]


def test_reading_stops_a_batch_ahead_when_the_consumer_stops():
    batches = [[{"_id": n}] for n in range(10)]
    fetch, fetched = _source(batches)
    iterator = read_ahead(fetch, lambda docs: docs, None)
    next(iterator)
    iterator.close()
    assert fetched == [None, 0]  # the batch handed out and one read ahead: memory stays flat


def test_a_transform_error_reaches_the_consumer():
    fetch, _ = _source([[{"_id": 1}]])

    def failing(docs):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        list(read_ahead(fetch, failing, None))


@pytest.mark.parametrize(
    ("size", "elapsed", "budget", "expected"),
    [
        (1000, 0.001, 0.025, 2000),  # fast: at most doubles
        (1000, 0.020, 0.025, 1000),  # about right: stays
        (1000, 0.100, 0.025, 500),  # slow: at most halves
        (1, 10.0, 0.025, 1),  # never below one row
        (1000, 0.0, 0.025, 2000),  # a batch too fast to time
        (1000, 0.5, 0.0, 1000),  # no budget: fixed size
    ],
)
def test_purge_batches_are_sized_by_time(size, elapsed, budget, expected):
    assert next_batch_size(size, elapsed, budget) == expected
