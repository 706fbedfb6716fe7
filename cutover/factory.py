"""The composition point: the repository a domain's current mode asks for."""

import logging
from collections.abc import Callable
from typing import Any

from pymongo.errors import PyMongoError

from cutover.mirror.breaker import mongo_breaker
from cutover.mirror.counters import note_mode
from cutover.mirror.dual import DualRepository
from cutover.mirror.single import SingleStoreRepository
from cutover.modes.cache import current_mode_state
from cutover.modes.registry import domain_spec
from cutover.modes.store_mode import StoreMode

logger = logging.getLogger("cutover.factory")


def repository_for(domain: str):
    """Mongo, Postgres or dual repository for `domain`, per its live store mode."""
    spec = domain_spec(domain)
    state = current_mode_state(domain)
    note_mode(spec.name, state.mode.value)  # a request's latency is measured per store mode (api.metrics)
    if state.mode in (StoreMode.MONGO, StoreMode.POSTGRES):
        # Fenced like a dual write (cutover.mirror.single): a stale cache cannot skip the other store. In `mongo`
        # mode a unique value Postgres holds is refused too (_claiming); in `postgres` mode Mongo is out of the
        # system (README, "Mongo optional"): a claim only a stale Mongo holds surfaces on the way back (the
        # reverse backfill rejects the clash).
        if state.mode is StoreMode.MONGO:
            only = _claiming(spec.build_mongo_repository(), spec.build_postgres_repository)
        else:
            only = spec.build_postgres_repository()
        return SingleStoreRepository(
            domain=spec.name, port=spec.load_port(), repository=only, live_repository=lambda: repository_for(domain)
        )
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
    """`repository`, asking `other` too whether a unique value it is about to claim is taken
    (StoreRepository._refuse_taken), in every mode with two live stores: a value either holds is refused.
    A failure of Postgres is raised. A Mongo whose breaker is open is not asked, and one that fails is
    skipped, logged and counted by the breaker: a Postgres-led write must survive a Mongo outage, and a
    claim the legacy app makes meanwhile is still stopped by Mongo's own unique index."""

    def ask_other_store(taken: Callable[[Any], Any]) -> tuple[Any, str]:
        store = other()
        if store.store != "mongo":
            return taken(store), f" (in the {store.store} store)"
        if mongo_breaker.is_open:
            return None, ""
        try:
            holder = taken(store)
        except PyMongoError as error:
            mongo_breaker.record_failure()
            logger.warning("Mongo not asked whether a unique value is taken there: %s", error)
            return None, ""
        mongo_breaker.record_success()
        return holder, " (in the mongo store)"

    repository.ask_other_store = ask_other_store
    return repository
