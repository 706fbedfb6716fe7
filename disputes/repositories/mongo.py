"""Disputes in MongoDB, in the legacy document shape (SCHEMA.md, `disputes`)."""

from cutover.backends.mongo import MongoBackend

from .base import DisputeRepository


class MongoDisputeRepository(MongoBackend, DisputeRepository):
    pass
