"""Users, verifications, telegram sessions and addresses in PostgreSQL."""

from cutover.backends.postgres import PostgresBackend

from .base import AddressRepository, AuthRepository


class PostgresAuthRepository(PostgresBackend, AuthRepository):
    MODELS = {
        "users": "accounts.User",
        "tempverifications": "accounts.TempVerification",
        "telegramsessions": "accounts.TelegramSession",
    }


class PostgresAddressRepository(PostgresBackend, AddressRepository):
    MODELS = {"addresses": "accounts.Address"}
