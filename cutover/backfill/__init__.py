"""Backfill: moving legacy documents into Postgres (and back, for a rollback).

Careful by design, since it writes years of data while the system runs:
keyset batches (never one long cursor), one transaction per batch with its
checkpoint, a lock against a second run on the same domain, a reject record
(never a crash, never a silent drop) for each document that cannot be
migrated as it is, and never an older copy over a newer row (decided by the
leading store's state under the record's copy lock, never by clocks); rows whose
documents are gone while Mongo leads are removed (deletes).

Owns the run skeleton (run), the forward pass (service, runner, source, raw, pipeline,
workers, transform, admission, rows, load, rejects, orphans, review, deletes), the reverse pass
(reverse), the Celery-sharded pass (shards) and the parity check between the stores (verify).
Imports the store layer, the models, modes and mirror.
"""
