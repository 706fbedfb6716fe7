"""Backfill: moving legacy documents into Postgres (and back, for a rollback).

Careful by design, since it writes years of data while the system runs:
keyset batches (never one long cursor), one transaction per batch with its
checkpoint, a lock against a second run on the same domain, a reject record
(never a crash, never a silent drop) for each document that cannot be
migrated as it is, and never an older copy over a newer row (decided by the
leading store's state under the record's copy lock, never by clocks); rows whose
documents are gone while Mongo leads are removed (deletes).

Owns the run skeleton (run), the stores a pass works on (target), its progress display (progress), why a pass stops
at a batch boundary, the deadline or a signal (stopping), its pause, cancel, live progress and throttle
(control), the cockpit's runs as Celery tasks (tasks), what a run reports when it ends (summary), the forward
pass (service, runner, source, raw, pipeline, workers, transform, admission, rows, load, rejects, orphans,
review; rows whose documents went: deletes; the document that holds a refused unique value: unique_holders;
rejects that carry money: money_rejects), skipping unchanged ranges on a rerun (digest), embedded arrays read
in slices (elements; one parent's array: element_reads), the reverse pass (reverse), the Celery-sharded pass
(shards) and the parity check between the stores (verify; its findings, range fingerprints, element records,
the render-back check and the re-read under writes: parity, fingerprint, element_parity, renderback, recheck).
Imports the store layer, the models, modes and mirror, and the audited decision (cutover.audit).
"""
