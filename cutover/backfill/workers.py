"""Decoding and transforming batches in worker processes: the backfill and verify use both cores.

Decoding BSON and transforming documents is Python that holds the GIL; on a thread it only took turns
with the loading thread. Worker processes (forked, so they share the loaded code) take a batch as the
server's raw BSON (cutover.backfill.raw) and send back only small, cheap-to-send results:
- for the backfill, each record's COPY line (formatted by psycopg exactly as `copy.write_row` formats it
  in this process, with this connection's adapters) and the few values the loader decides on: the id,
  the legacy `_id`, the foreign keys. Records are never sent whole: pickling Decimals and datetimes cost
  as much as making them;
- for verify, a range's digest of its records (cutover.backfill.fingerprint) and how many there are, with
  the range's render-back check (cutover.backfill.renderback): the few documents that differ, if any.
Workers only compute: they never touch a database or a store, and every write stays in the loading
process, in its batch transaction. Each worker holds one batch at a time; the pipeline keeps a bounded
number in flight, so memory stays flat.

Only collections whose records are plain rows go this way (no child tables, element records, expiry or
insert-only checks: those read whole records in the loader); the rest use the thread pipeline."""

import gc
import multiprocessing
import os
import threading
import time
from collections import namedtuple
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from operator import attrgetter

import bson
from django.db import connection
from psycopg._copy_base import format_row_text  # psycopg's own COPY text formatter (pinned 3.3.9)
from psycopg.adapt import Transformer

from cutover.backfill.raw import RawBatch
from cutover.backfill.renderback import check_range
from cutover.backfill.rows import row_builder
from cutover.backfill.transform import Reject, Transformed, transform

# One a core, up to four: on two cores two keep well ahead of the loading process (a batch takes a worker
# about half the time it takes to load); verify, whose critical path the workers are, uses every one.
WORKERS = max(1, min(4, os.cpu_count() or 1))
_PARENT_POLL_SECONDS = 0.5


class _CopyContext:
    """What psycopg's Transformer reads of a connection: its adapters (no I/O: a worker has no connection)."""

    connection = None

    def __init__(self, adapters):
        self.adapters = adapters


_copy_context: _CopyContext | None = None  # set before the workers fork; they inherit it


def start_workers() -> ProcessPoolExecutor:
    """A pool of forked workers. Forked from here, they inherit this connection's COPY adapters; they exit
    by os._exit (multiprocessing's way), so no connection they inherited is ever closed or used by them."""
    global _copy_context
    connection.ensure_connection()
    _copy_context = _CopyContext(connection.connection.adapters)
    return ProcessPoolExecutor(
        max_workers=WORKERS,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )


def _start_worker(parent_pid: int) -> None:
    """The collector never walks what a worker inherited (the whole loaded process): one full collection
    of it took 80 ms, the time of two batches, and touched every page the fork would otherwise share.
    And a worker never outlives the loading process: it holds a copy of that process's database socket,
    so while it lives, the server never sees a killed (kill -9) run's session end, nor its run lock
    (cutover.backfill.run.domain_lock) and row locks released; idle, it would wait for work forever."""
    gc.freeze()
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()


def _exit_when_orphaned(parent_pid: int) -> None:
    """A dead parent (SIGKILL included) leaves its children to init or a subreaper: getppid() changes."""
    while os.getppid() == parent_pid:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(1)


def prepares_in_workers(spec, collection: str, source, expiry: str | None) -> bool:
    """True when `collection` can load from worker-prepared rows: the source hands batches over as raw
    BSON and the records are plain rows."""
    record_map = spec.record_map(collection)
    plain = not (record_map.children or record_map.element_keys or record_map.insert_only or expiry)
    return plain and getattr(source, "raw_batches", False)


# --- the backfill: COPY lines -----------------------------------------------------------------------


@cache
def _row_plan(domain: str, collection: str):
    from cutover.modes.registry import domain_spec

    spec = domain_spec(domain)
    fields = list(spec.postgres_model(collection)._meta.concrete_fields)
    keys = ("id", "legacy_id", *(f.attname for f in fields if f.is_relation))
    return spec.record_map(collection), row_builder(fields), attrgetter(*keys), keys


def copy_lines(domain: str, collection: str, raw: bytes, codec_options) -> tuple[list[tuple], list[Reject]]:
    """In a worker: each record of the batch as (id, legacy_id, foreign keys..., COPY line, document
    position), and the batch's rejects."""
    record_map, build, values, _ = _row_plan(domain, collection)
    docs = bson.decode_all(raw, codec_options)
    out = transform(record_map, docs)
    position = {id(doc): index for index, doc in enumerate(docs)}
    formatter = Transformer(_copy_context)
    lines = []
    for record in out.records:
        line = bytearray()
        format_row_text(build(record), formatter, line)
        lines.append((*values(record), bytes(line), position[id(out.documents[record.id])]))
    return lines, out.rejects


@cache
def prepared_record_type(domain: str, collection: str) -> type:
    """What the loader reads of a worker-prepared record: id, legacy_id, foreign keys, and its COPY line."""
    return namedtuple("PreparedRecord", (*_row_plan(domain, collection)[3], "copy_line"))


def submit_copy_lines(pool: ProcessPoolExecutor, spec, collection: str, batch: RawBatch) -> Future:
    return pool.submit(copy_lines, spec.name, collection, batch.raw, batch.codec_options)


def prepared(spec, collection: str, batch: RawBatch, result: tuple[list[tuple], list[Reject]]) -> Transformed:
    """The batch as the loader takes it: records that carry their COPY line, documents decoded on demand."""
    lines, rejects = result
    record_type = prepared_record_type(spec.name, collection)
    records = [record_type._make(line[:-1]) for line in lines]
    documents = _Documents(batch, {line[0]: line[-1] for line in lines})
    return Transformed(records=records, documents=documents, rejects=rejects)


class _Documents(Mapping):
    """record id -> its source document, decoded when asked (a reject stores it; nothing else reads it)."""

    def __init__(self, batch: RawBatch, positions: dict[str, int]):
        self.batch, self.positions = batch, positions

    def __getitem__(self, record_id: str) -> dict:
        return self.batch[self.positions[record_id]]

    def __iter__(self):
        return iter(self.positions)

    def __len__(self) -> int:
        return len(self.positions)


# --- verify: range digests ---------------------------------------------------------------------------


@cache
def _fingerprint(domain: str, collection: str):
    from cutover.backfill.fingerprint import RangeFingerprint
    from cutover.modes.registry import domain_spec

    spec = domain_spec(domain)
    return spec.record_map(collection), RangeFingerprint(spec.record_map(collection), spec.postgres_model(collection))


def range_digest(domain: str, collection: str, raw: bytes, codec_options) -> tuple | None:
    """In a worker: (records, digest, render-back differences, implausible values) of a range whose every
    document became a record (cutover.backfill.renderback.check_range), else None (the range is then
    compared in the verifying process, record by record if need be)."""
    record_map, fingerprint = _fingerprint(domain, collection)
    docs = bson.decode_all(raw, codec_options)
    out = transform(record_map, docs)
    if out.rejects or len(out.records) != len(docs):
        return None
    digest = fingerprint.of_records({record.id: record for record in out.records})
    return None if digest is None else (*digest, *check_range(record_map, out.documents, out.records))


def submit_range_digest(pool: ProcessPoolExecutor, spec, collection: str, batch: RawBatch) -> Future:
    return pool.submit(range_digest, spec.name, collection, batch.raw, batch.codec_options)
