"""The composition point: the repository a domain's current mode asks for."""

from .dual import DualRepository
from .mode_cache import current_mode_state
from .modes import StoreMode
from .registry import domain_spec


def repository_for(domain: str):
    """Mongo, Postgres or dual repository for `domain`, per its live store mode."""
    spec = domain_spec(domain)
    state = current_mode_state(domain)
    if state.mode is StoreMode.MONGO:
        return spec.build_mongo_repository()
    if state.mode is StoreMode.POSTGRES:
        return spec.build_postgres_repository()
    mongo, postgres = spec.build_mongo_repository(), spec.build_postgres_repository()
    primary, secondary = (mongo, postgres) if state.mode is StoreMode.DUAL_MONGO_PRIMARY else (postgres, mongo)
    return DualRepository(
        domain=spec.name,
        port=spec.load_port(),
        primary=primary,
        secondary=secondary,
        shadow_read_percent=state.shadow_read_percent,
    )
