"""A `mongo` or `postgres` mode write, fenced like a dual write (cutover.modes.fence).

Why: a process whose cached mode still says `postgres` (or `mongo`) after a change to a dual mode would
otherwise write its one store only, with no outbox row: the other store never hears of it, and once
that store leads the write is lost or a deleted record comes back (issue 22). So a one-store write also
runs in a transaction holding the domain's fence (shared) in which the live mode is re-read: a write
whose domain moved rolls back before touching its store and is routed by the live mode, exactly as a
dual write is. Its cost is the fence statement in the write's transaction (bench/dual_write.py,
postgres); a Mongo-mode write holds the Postgres transaction across its Mongo write, like a
Mongo-primary dual write. Reads are not fenced.
"""

import functools
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from cutover.modes.fence import fenced_write, write_by_live_mode
from cutover.modes.store_mode import StoreMode
from cutover.store.backends.postgres import as_sole_write
from cutover.store.ports import StoreRepository


class SingleStoreRepository:
    def __init__(
        self,
        *,
        domain: str,
        port: type[StoreRepository],
        repository: StoreRepository,
        live_repository: Callable[[], Any],
    ):
        """`repository`: the one store's; `live_repository` as for DualRepository."""
        self.domain = domain
        self.port = port
        self.repository = repository
        self._live_repository = live_repository
        self.store = repository.store
        self.mode = StoreMode.POSTGRES if repository.store == "postgres" else StoreMode.MONGO

    def __getattr__(self, name: str) -> Any:
        if name in self.port.WRITE_METHODS:
            return functools.partial(write_by_live_mode, self, name)
        return getattr(self.repository, name)

    def fenced_write(self, name: str, args: tuple, kwargs: dict) -> Any:
        # In Postgres the write is the fence transaction's only work: no savepoint of its own.
        sole = as_sole_write() if self.store == "postgres" else nullcontext()
        with fenced_write(self.domain, self.mode), sole:
            return getattr(self.repository, name)(*args, **kwargs)

    def live_repository(self) -> Any:
        return self._live_repository()
