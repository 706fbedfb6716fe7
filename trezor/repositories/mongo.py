"""Trezor accounts in MongoDB, derived addresses embedded as the legacy array."""

from cutover.backends.mongo import MongoBackend

from .base import TrezorRepository


class MongoTrezorRepository(MongoBackend, TrezorRepository):
    pass
