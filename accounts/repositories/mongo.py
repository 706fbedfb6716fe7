"""Users, verifications, telegram sessions and addresses in MongoDB, in the legacy document shapes."""

from cutover.backends.mongo import MongoBackend

from .base import AddressRepository, AuthRepository


class MongoAuthRepository(MongoBackend, AuthRepository):
    pass


class MongoAddressRepository(MongoBackend, AddressRepository):
    pass
