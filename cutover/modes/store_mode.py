"""Store modes: which store serves a domain's reads and writes.

Pure Python (no Django imports) so that settings can validate the legacy
`<DOMAIN>_STORE` variables at startup.
"""

import re
from enum import StrEnum

# The legacy backend's per-domain flags: AUTH_STORE, DISPUTE_STORE, REPO_TREZOR, ... (DomainSpec.flag).
LEGACY_FLAG = re.compile(r"[A-Z][A-Z0-9_]*_STORE|REPO_[A-Z0-9_]+")


class StoreMode(StrEnum):
    MONGO = "mongo"
    DUAL_MONGO_PRIMARY = "dual_mongo_primary"  # write both, Mongo authoritative, read Mongo
    DUAL = "dual"  # write both, Postgres authoritative, read Postgres
    POSTGRES = "postgres"

    @property
    def label(self) -> str:
        return MODE_LABELS[self]

    @property
    def position(self) -> int:
        return MIGRATION_ORDER.index(self)

    @property
    def writes_mongo(self) -> bool:
        return self is not StoreMode.POSTGRES

    @property
    def writes_postgres(self) -> bool:
        return self is not StoreMode.MONGO

    @property
    def is_dual(self) -> bool:
        return self in (StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL)


MIGRATION_ORDER = (
    StoreMode.MONGO,
    StoreMode.DUAL_MONGO_PRIMARY,
    StoreMode.DUAL,
    StoreMode.POSTGRES,
)

MODE_LABELS = {
    StoreMode.MONGO: "Mongo only",
    StoreMode.DUAL_MONGO_PRIMARY: "Dual write, Mongo primary",
    StoreMode.DUAL: "Dual write, Postgres primary",
    StoreMode.POSTGRES: "Postgres only",
}


def parse_store_mode(value: str, *, source: str) -> StoreMode:
    """Parse a mode as written by people or the legacy env flags.

    The legacy `dual` meant "write both, read Postgres", which is our `dual`.
    """
    cleaned = value.strip().lower()
    try:
        return StoreMode(cleaned)
    except ValueError:
        allowed = ", ".join(mode.value for mode in MIGRATION_ORDER)
        raise ValueError(f"{source}={value!r} is not a store mode; expected one of: {allowed}") from None


def is_one_step(from_mode: StoreMode, to_mode: StoreMode) -> bool:
    return abs(from_mode.position - to_mode.position) == 1


def incoming_primary(from_mode: StoreMode, to_mode: StoreMode) -> str | None:
    """The store ("mongo" or "postgres") that becomes primary in this step, if the primary changes."""
    return {
        (StoreMode.DUAL, StoreMode.DUAL_MONGO_PRIMARY): "mongo",
        (StoreMode.DUAL_MONGO_PRIMARY, StoreMode.DUAL): "postgres",
    }.get((from_mode, to_mode))
