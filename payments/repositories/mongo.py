"""Payments and derived destinations in MongoDB, in the legacy document shapes."""

from cutover.backends.mongo import MongoBackend

from .base import DestinationRepository, PaymentRepository


class MongoPaymentRepository(MongoBackend, PaymentRepository):
    pass


class MongoDestinationRepository(MongoBackend, DestinationRepository):
    pass
