"""Payments and derived destinations in PostgreSQL."""

from cutover.backends.postgres import PostgresBackend

from .base import DestinationRepository, PaymentRepository


class PostgresPaymentRepository(PostgresBackend, PaymentRepository):
    MODELS = {"payments": "payments.Payment"}


class PostgresDestinationRepository(PostgresBackend, DestinationRepository):
    MODELS = {"deriveddestinations": "payments.DerivedDestination"}
