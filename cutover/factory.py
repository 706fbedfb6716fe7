"""The composition point: the repository a domain's current mode asks for."""

from cutover.mirror.dual import DualRepository
from cutover.mirror.single import SingleStoreRepository
from cutover.modes.cache import current_mode_state
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode


def repository_for(domain: str):
    """Mongo, Postgres or dual repository for `domain`, per its live store mode."""
    spec = domain_spec(domain)
    state = current_mode_state(domain)
    if state.mode in (StoreMode.MONGO, StoreMode.POSTGRES):
        # Fenced like a dual write (cutover.mirror.single): a stale cache cannot skip the other store.
        only = spec.build_mongo_repository() if state.mode is StoreMode.MONGO else spec.build_postgres_repository()
        return SingleStoreRepository(
            domain=spec.name, port=spec.load_port(), repository=only, live_repository=lambda: repository_for(domain)
        )
    # The secondary is only read by shadow reads, so it is built on first use: a Postgres-primary
    # request never even opens a Mongo client (its mirror write happens after commit, elsewhere).
    if state.mode is StoreMode.DUAL_MONGO_PRIMARY:
        primary, secondary = spec.build_mongo_repository(), spec.build_postgres_repository
    else:
        primary, secondary = spec.build_postgres_repository(), spec.build_mongo_repository
    return DualRepository(
        domain=spec.name,
        port=spec.load_port(),
        primary=primary,
        secondary_factory=secondary,
        live_repository=lambda: repository_for(domain),
        shadow_read_percent=state.shadow_read_percent,
    )
