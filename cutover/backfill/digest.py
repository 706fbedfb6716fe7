"""A rerun skips the ranges that did not change, without transforming or loading them.

When a batch of the `_id` keyset scan loads cleanly (no reject, nothing skipped, Mongo leading), its range
(low, high] is noted with two digests, in the batch's transaction: one of its documents as BSON, and one of
its Postgres rows by id and row version (xmin). A later run that reads the same range finds both unchanged
(the documents digested again as read, the rows digested inside Postgres, one query) and moves its
checkpoint past the range: loading it would have changed nothing. Anything else, a changed document, a
changed, added or deleted row, a range cut at other bounds, open rejects, a new version of this code (its
transforms may read documents differently), takes the normal path, which notes the range anew.
Collections whose records have child tables, or that skip expired documents, are always loaded."""

import hashlib
from typing import Any

import bson
from django.db import connection

import escrow_project
from cutover.backfill.load import TableLoader, live_mode
from cutover.backfill.raw import RawBatch
from cutover.models import BackfillRangeDigest
from cutover.modes.store_mode import StoreMode

_TABLE = BackfillRangeDigest._meta.db_table
_NOT_YET = object()


class RangeDigests:
    def __init__(self, loader: TableLoader, collection: str):
        self.loader, self.collection = loader, collection
        # Digests the worker made, until their batch is noted (one pass: a batch or two ahead at most).
        self._digested: dict[tuple[str, str, int], str | None] = {}
        record_map = loader.map
        shape = [(f.name, f.key, f.kind.name, f.optional, repr(f.default)) for f in record_map.fields]
        self.salt = f"{escrow_project.__version__}|{record_map.version_field}|{shape}".encode()
        # The rows by id and row version (any write to a row gives it a new xmin; cheaper than its text).
        self.rows_sql = (
            f"SELECT count(*) AS n, md5(string_agg(t.\"{loader.pk}\" || ':' || t.xmin::text, ',' "
            f'ORDER BY t."{loader.pk}")) AS digest '
            f'FROM "{loader.table}" t WHERE t."{loader.pk}" > %s AND t."{loader.pk}" <= %s'
        )

    @staticmethod
    def apply_to(loader: TableLoader, expiry: str | None) -> bool:
        # Not where part of a document lives elsewhere: child tables, element records (chat messages are read
        # apart from their chat, so the chat's digest cannot see a message change), short-lived documents.
        return not loader.map.children and not loader.map.element_keys and expiry is None

    def inspect(self, low: str, docs: list[dict], *, skip: bool) -> bool:
        """On the read-ahead worker: digest the documents (for `note`) and, if `skip`, say whether the range
        (low, docs[-1]] holds what it held when it last loaded cleanly."""
        digest = self._source_digest(docs)
        self._digested[(low, _high(docs), len(docs))] = digest
        return skip and self._unchanged(low, docs, digest)

    def _unchanged(self, low: str, docs: list[dict], digest: str | None) -> bool:
        if digest is None or live_mode(self.loader.spec.name).position >= StoreMode.DUAL.position:
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.rows_digest = r.digest FROM {_TABLE} d, ({self.rows_sql}) r WHERE d.collection = %s "
                f"AND d.low = %s AND d.high = %s AND d.documents = %s AND d.source_digest = %s "
                f"ORDER BY d.id DESC LIMIT 1",
                [low, _high(docs), self.collection, low, _high(docs), len(docs), digest],
            )
            found = cursor.fetchone()
        return bool(found and found[0])

    def note(self, low: str, docs: list[dict], clean: bool) -> None:
        """After a batch's load, in its transaction: forget what was noted of ranges overlapping this one;
        note this one if it loaded cleanly."""
        high = _high(docs)
        digested = self._digested.pop((low, high, len(docs)), _NOT_YET)
        digest = None if not clean else (self._source_digest(docs) if digested is _NOT_YET else digested)
        forget = f"DELETE FROM {_TABLE} WHERE collection = %s AND high > %s AND low < %s"
        params = [self.collection, low, high]
        if digest is not None:  # the two statements in one round trip
            # Only a range with a row for every document is noted (a document not loaded is never skipped).
            forget += (
                f"; INSERT INTO {_TABLE} (collection, low, high, documents, source_digest, rows_digest, updated_at) "
                f"SELECT %s, %s, %s, %s, %s, r.digest, now() FROM ({self.rows_sql}) r WHERE r.n = %s"
            )
            params += [self.collection, low, high, len(docs), digest, low, high, len(docs)]
        with connection.cursor() as cursor:
            cursor.execute(forget, params)

    def _source_digest(self, docs: list[dict]) -> str | None:
        digest = hashlib.md5(self.salt, usedforsecurity=False)
        if isinstance(docs, RawBatch):  # the documents as the server sent them: the same bytes, not re-encoded
            digest.update(docs.raw)
            return digest.hexdigest()
        try:
            for doc in docs:
                digest.update(bson.encode(doc))  # each is length-prefixed: the concatenation is unambiguous
        except Exception:  # noqa: BLE001 - a document BSON cannot hold as it is: never skipped
            return None
        return digest.hexdigest()


def range_low(after: Any, lower: str) -> str:
    return str(after) if after is not None else lower


def _high(docs: list[dict]) -> str:
    return str(docs[-1]["_id"])
