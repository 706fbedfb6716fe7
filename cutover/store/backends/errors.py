class RecordNotFound(LookupError):
    def __init__(self, record_type: type, record_id: str):
        self.record_id = record_id
        super().__init__(f"no {record_type.__name__.removesuffix('Record').lower()} with id {record_id!r}")


class ImmutableRecordConflict(Exception):
    """An insert-only record exists with other content: reported, never overwritten."""

    def __init__(self, collection: str, record_id: str):
        self.collection = collection
        self.record_id = record_id
        super().__init__(
            f"{collection}/{record_id} already exists with different content; insert-only records are never updated"
        )


class UniqueConflict(ValueError):
    """A value that must be unique is taken (same message from every store)."""
