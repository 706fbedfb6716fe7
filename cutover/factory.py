"""The composition point: the repository a domain's current mode asks for."""

from collections.abc import Callable
from typing import Any

from cutover.mirror.breaker import mongo_breaker
from cutover.mirror.dual import DualRepository
from cutover.modes.cache import current_mode_state
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode


def repository_for(domain: str):
    """Mongo, Postgres or dual repository for `domain`, per its live store mode."""
    spec = domain_spec(domain)
    state = current_mode_state(domain)
    if state.mode is StoreMode.MONGO:
        return _claiming(spec.build_mongo_repository(), spec.build_postgres_repository)
    if state.mode is StoreMode.POSTGRES:
        return _claiming(spec.build_postgres_repository(), spec.build_mongo_repository)
    # The secondary is only read by shadow reads, so it is built on first use: a Postgres-primary
    # request never even opens a Mongo client (its mirror write happens after commit, elsewhere).
    if state.mode is StoreMode.DUAL_MONGO_PRIMARY:
        primary, secondary = spec.build_mongo_repository(), spec.build_postgres_repository
    else:
        primary, secondary = spec.build_postgres_repository(), spec.build_mongo_repository
    _claiming(primary, secondary)
    return DualRepository(
        domain=spec.name,
        port=spec.load_port(),
        primary=primary,
        secondary_factory=secondary,
        live_repository=lambda: repository_for(domain),
        shadow_read_percent=state.shadow_read_percent,
    )


def _claiming(repository, other: Callable[[], Any]):
    """`repository`, asking `other` too whether a unique value it is about to claim is taken (StoreRepository.
    _refuse_taken), in every mode: a value either store holds is refused. Built only when a use case asks,
    and a Mongo whose breaker is open is not asked (it would only time out)."""

    def other_store():
        store = other()
        return None if store.store == "mongo" and mongo_breaker.is_open else store

    repository.other_store = other_store
    return repository
