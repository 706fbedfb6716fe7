"""Overlap the work of two batches: while one batch loads into Postgres (waiting on the database, the
GIL released), a worker thread transforms the next one.

Only the transform runs on the worker: every source read and every database call stays on the calling
thread (a source's client may belong to the thread that made it, as the embedded store's does). At most
two batches are in memory, the one loading and the one read ahead, so memory stays flat. The next batch
is read before the current one is loaded: that changes nothing the loader relies on, since it never trusts
a read for newer data (it takes the copy locks and reads again while app writes reach Postgres)."""

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


def read_ahead(
    fetch: Callable[[Any], list[dict]],
    transform: Callable[[list[dict]], Any],
    after: Any,
    unchanged: Callable[[Any, list[dict]], bool] | None = None,
) -> Iterator[tuple[list[dict], Any]]:
    """(docs, transform(docs)) batch after batch, from `fetch(after)` with `after` the last `_id` read,
    until a fetch comes back empty; (docs, None) for a batch that `unchanged(after, docs)` says needs no
    transform. Closing the iterator (a deadline, an error) waits for the worker."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="backfill-transform") as worker:

        def start(after: Any) -> tuple[list[dict], Future | None]:
            docs = fetch(after)
            if not docs:
                return docs, None
            if unchanged is not None and unchanged(after, docs):
                skipped: Future = Future()
                skipped.set_result(None)
                return docs, skipped
            return docs, worker.submit(transform, docs)

        docs, pending = start(after)
        while pending is not None:
            out = pending.result()
            following, next_pending = start(docs[-1]["_id"])  # on this thread, while the worker is idle
            try:
                yield docs, out
            except GeneratorExit:
                if next_pending is not None:
                    next_pending.cancel()
                raise
            docs, pending = following, next_pending
