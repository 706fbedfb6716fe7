"""Overlap the work of batches: while one batch loads into Postgres, the next ones are prepared.

`read_ahead_in_workers`, for a source that hands batches over as raw BSON: forked worker processes decode
and transform them (cutover.backfill.workers), so the second core works too. `read_ahead`, for any other
source: a worker thread prepares the next batch while the loading thread waits on the database (the GIL
released): asks whether it changed since it last loaded, and transforms it.

The source is read on the calling thread: a source's client may belong to the thread that made it (the
embedded store's does), and decoding a batch of BSON is one long C call that holds the GIL (on the worker
it made the loading thread wait for the GIL after each database answer). Every write stays on the calling
thread, in its batch transaction; the worker reads Postgres only, on its own connection (committed data,
of a range the loading batch does not touch). At most two batches are in memory, the one loading and the
one prepared, so memory stays flat. Reading the next batch before this one is loaded changes nothing the
loader relies on: it never trusts a read for newer data (it takes the copy locks and reads again while app
writes reach Postgres). A read that fails (the network, a cursor the server lost) raises only after the
batches read whole before it have loaded with their checkpoints: the next run resumes after them."""

import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from django.db import connections

from cutover.backfill.raw import RawBatch
from cutover.backfill.workers import WORKERS, start_workers

_SWITCH_INTERVAL = 0.0005
IN_FLIGHT = 2 * WORKERS  # batches read ahead: each worker busy and one more waiting for it


def read_ahead(
    fetch: Callable[[Any], list[dict]],
    transform: Callable[[list[dict]], Any],
    after: Any,
    unchanged: Callable[[Any, list[dict]], bool] | None = None,
) -> Iterator[tuple[list[dict], Any]]:
    """(docs, transform(docs)) batch after batch, from `fetch(after)` with `after` the last `_id` read,
    until a fetch comes back empty; (docs, None) for a batch that `unchanged(after, docs)` says needs no
    transform. Closing the iterator (a deadline, an error) waits for the worker and closes its connection."""

    def prepare(after: Any, docs: list[dict]) -> tuple[list[dict], Any]:
        if not docs or (unchanged is not None and unchanged(after, docs)):
            return docs, None
        return docs, transform(docs)

    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="backfill-read-ahead")
    # The loading thread gets the GIL back within half a millisecond of each database answer, instead of
    # the default five: a batch makes a dozen round trips while the worker runs Python.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, _SWITCH_INTERVAL))

    def start(after: Any) -> Future:
        return worker.submit(prepare, after, fetch(after))

    pending: Future | None = None
    try:
        pending = start(after)
        while True:
            docs, out = pending.result()
            if not docs:
                return
            pending, failure = None, None
            try:
                pending = start(docs[-1]["_id"])
            except Exception as error:  # noqa: BLE001 - raised below, once the batch read whole has loaded
                failure = error
            yield docs, out
            if failure is not None:
                raise failure
    finally:
        if pending is not None:
            pending.cancel()
        worker.submit(connections.close_all).result()  # the worker's own database connection
        worker.shutdown(wait=True)
        sys.setswitchinterval(switch_interval)


def read_ahead_in_workers(
    fetch_raw: Callable[[Any], RawBatch],
    submit: Callable[[ProcessPoolExecutor, RawBatch], Future],
    finish: Callable[[RawBatch, Any], Any],
    after: Any,
    unchanged: Callable[[Any, RawBatch], bool] | None = None,
) -> Iterator[tuple[RawBatch, Any]]:
    """As `read_ahead`, with the batches prepared in worker processes (cutover.backfill.workers): up to
    IN_FLIGHT batches ahead, each read here as raw BSON, asked here whether it changed (so an unchanged one
    costs no worker time), submitted, and yielded in order as (batch, finish(batch, its result))."""
    pool = start_workers()
    pending: deque[tuple[RawBatch, Future | None]] = deque()
    exhausted, failure = False, None
    try:
        while True:
            while not exhausted and len(pending) < IN_FLIGHT:
                try:
                    batch = fetch_raw(after)
                except Exception as error:  # noqa: BLE001 - raised once the batches read whole have loaded
                    exhausted, failure = True, error
                    break
                if not batch:
                    exhausted = True
                    break
                skip = unchanged is not None and unchanged(after, batch)
                pending.append((batch, None if skip else submit(pool, batch)))
                after = batch[-1]["_id"]
            if not pending:
                if failure is not None:
                    raise failure
                return
            batch, future = pending.popleft()
            yield batch, (None if future is None else finish(batch, future.result()))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
