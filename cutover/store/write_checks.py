"""A check the other store makes before a Mongo-primary write touches Mongo.

In `dual_mongo_primary` a write goes to Mongo first and its Postgres copy follows in the same fenced
transaction (cutover.mirror.dual). What Postgres would refuse (a reference to a row that does not exist,
a value taken, an insert-only row that differs) must refuse the write before Mongo has it: otherwise the
caller is told "refused" while the document stays in Mongo alone. The dual layer installs the check
(`checking_writes`); the Mongo primitives that the ports' use cases write with (`_insert`, `_update`,
`_delete`) call `check_write` with the record as it is about to be written (None: about to be deleted),
after the record is built and before Mongo is written. Copies (put_snapshot, delete_snapshot) are not
checked: they are the follower's side of a write already made."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

WriteCheck = Callable[[str, str, Any], None]  # (collection, record id, record or None for a delete)

_check: ContextVar[WriteCheck | None] = ContextVar("write_check", default=None)


@contextmanager
def checking_writes(check: WriteCheck) -> Iterator[None]:
    token = _check.set(check)
    try:
        yield
    finally:
        _check.reset(token)


def check_write(collection: str, record_id: str, record: Any) -> None:
    """Raise what the other store would refuse this write with; nothing when no check is installed."""
    check = _check.get()
    if check is not None:
        check(collection, record_id, record)
