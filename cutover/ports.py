"""What every domain port shares, so the generic machinery can drive it.

A domain port (an ABC in `<app>/repositories/base.py`) subclasses
StoreRepository and sorts each of its methods into WRITE_METHODS or
READ_METHODS; the dual wrapper routes by that. Write methods return the record
they changed, whose `.id` names what to mirror. The sync primitives let the
machinery copy one record between stores without knowing its shape.
"""

import inspect
from abc import ABC, abstractmethod
from typing import Any, ClassVar

SYNC_METHODS = frozenset({"put_snapshot", "delete_snapshot"})


class StoreRepository(ABC):
    WRITE_METHODS: ClassVar[frozenset[str]] = frozenset()
    READ_METHODS: ClassVar[frozenset[str]] = frozenset({"get"})
    store: ClassVar[str] = ""  # "mongo" or "postgres" on a backend

    @abstractmethod
    def get(self, record_id: str) -> Any | None:
        """The record with this id, or None."""

    @abstractmethod
    def put_snapshot(self, record: Any) -> None:
        """Make the stored copy equal `record`, unless the store already holds a newer one."""

    @abstractmethod
    def delete_snapshot(self, record_id: str) -> None:
        """Remove the record (the source no longer has it). Missing is fine."""


def unclassified_methods(port: type[StoreRepository]) -> set[str]:
    """Public methods of `port` that are neither read, write nor sync: a bug."""
    public = {name for name, _ in inspect.getmembers(port, inspect.isfunction) if not name.startswith("_")}
    return public - port.WRITE_METHODS - port.READ_METHODS - SYNC_METHODS
