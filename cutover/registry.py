"""The registry of store domains.

`settings.CUTOVER_DOMAINS` maps a domain name to the dotted path of its
DomainSpec; specs are imported on first use. The cutover machinery knows
domain apps only through this module.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class UnknownDomain(LookupError):
    def __init__(self, name: str):
        known = ", ".join(sorted(settings.CUTOVER_DOMAINS)) or "(none)"
        super().__init__(f"unknown store domain {name!r}; registered domains: {known}")


@dataclass(frozen=True)
class MongoIndex:
    """An index the legacy app relies on (or a TTL index that expires documents)."""

    collection: str
    keys: tuple[tuple[str, int], ...]  # (legacy key, 1 or -1)
    unique: bool = False
    partial_filter: dict | None = None  # e.g. unique only where the key is a string
    expire_after_seconds: int | None = None  # a TTL index

    @property
    def name(self) -> str:
        return "_".join(f"{key}_{direction}" for key, direction in self.keys)


@dataclass(frozen=True)
class DomainSpec:
    """What the cutover machinery needs to know about one store domain."""

    name: str
    collections: tuple[str, ...]  # Mongo collections this domain owns
    models: tuple[str, ...]  # "app_label.ModelName", parent tables first
    port: str  # dotted path of the port (ABC) its repositories implement
    mongo_repository: str  # dotted path of the Mongo backend class
    postgres_repository: str  # dotted path of the Postgres backend class
    depends_on: tuple[str, ...] = field(default=())  # backfill parents (domain names)
    demo_seeder: str = ""  # dotted path of `seed(*, size, rng, context) -> int`, for seed_demo
    mongo_indexes: tuple[MongoIndex, ...] = ()  # created by ensure_mongo_indexes
    # Short-lived collections whose expired documents need no backfill: collection -> expiry field.
    backfill_skips_expired: tuple[tuple[str, str], ...] = ()
    # Celery names of the scheduled tasks that purge this domain's expired records (their freshness is on
    # the cutover dashboard).
    purge_tasks: tuple[str, ...] = ()

    def postgres_model(self, collection: str):
        """The Django model that holds `collection` in Postgres."""
        from django.apps import apps

        return apps.get_model(self.build_postgres_repository().MODELS[collection])

    def lifetimes(self, collection: str) -> list[tuple[str, timedelta]]:
        """(record field, lifetime) of each TTL index on `collection`: a record ends at field + lifetime."""
        record_map = self.record_map(collection)
        by_key = {f.key: f.name for f in record_map.fields}
        return [
            (by_key[index.keys[0][0]], timedelta(seconds=index.expire_after_seconds))
            for index in self.mongo_indexes
            if index.collection == collection and index.expire_after_seconds is not None
        ]

    def record_map(self, collection: str):
        for record_map in self.load_port().MAPS:
            if record_map.collection == collection:
                return record_map
        raise LookupError(f"domain {self.name!r} has no collection {collection!r}")

    def load_port(self) -> type:
        return import_string(self.port)

    def build_mongo_repository(self):
        return import_string(self.mongo_repository)()

    def build_postgres_repository(self):
        return import_string(self.postgres_repository)()


@cache
def domain_spec(name: str) -> DomainSpec:
    try:
        path = settings.CUTOVER_DOMAINS[name]
    except KeyError:
        raise UnknownDomain(name) from None
    spec = import_string(path)
    if spec.name != name:
        raise ValueError(f"CUTOVER_DOMAINS[{name!r}] points at the spec of {spec.name!r}")
    return spec


def domain_names() -> list[str]:
    return list(settings.CUTOVER_DOMAINS)


def domains_in_dependency_order() -> list[DomainSpec]:
    """Registered domains, parents before children (the backfill order); otherwise in the
    order CUTOVER_DOMAINS lists them, which follows SCHEMA.md.

    A dependency on a legacy domain that has no implementation yet is ignored:
    it still lives in Mongo only and cannot be backfilled.
    """
    registered = domain_names()
    pending = {name: set(_registered_parents(name, registered)) for name in registered}
    order: list[str] = []
    while pending:
        ready = next((name for name in registered if name in pending and not pending[name] - set(order)), None)
        if ready is None:
            raise ValueError(f"store domains depend on each other in a cycle: {sorted(pending)}")
        order.append(ready)
        del pending[ready]
    return [domain_spec(name) for name in order]


def _registered_parents(name: str, registered: list[str]) -> list[str]:
    spec = domain_spec(name)
    for parent in spec.depends_on:
        if parent not in settings.CUTOVER_LEGACY_FLAGS:
            raise ValueError(f"domain {name!r} depends on {parent!r}, which is not a store domain")
    return [parent for parent in spec.depends_on if parent in registered]
