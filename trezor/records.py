"""Trezor accounts and the addresses derived from them (embedded in Mongo, a child table in Postgres)."""

from dataclasses import dataclass
from datetime import datetime

from cutover.store.records import LegacyShape


@dataclass(frozen=True)
class DerivedAddress(LegacyShape):
    index: int
    address: str
    path: str
    used_at: datetime | None


@dataclass(frozen=True)
class TrezorAccountRecord(LegacyShape):
    id: str
    user_id: str | None
    label: str
    xpub: str
    network: str
    account_index: int
    derived_addresses: tuple[DerivedAddress, ...]
    created_at: datetime
    updated_at: datetime
