"""The registry of store domains.

`settings.CUTOVER_DOMAINS` lists the dotted paths of the domains' DomainSpecs, parents
before children (the backfill order, which docs/legacy-collections.md gives); specs are imported on
first use. A spec names everything else: its port (whose RecordMaps give the
collections and the Postgres models), its legacy flag, parents, indexes and demo data.
The Mongo and Postgres repositories are the port on each backend, made here. The
cutover machinery knows domain apps only through this module.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from cutover.modes.store_mode import LEGACY_FLAG
from cutover.store.backends.mongo import MongoBackend
from cutover.store.backends.postgres import PostgresBackend
from cutover.store.mongo_indexes import MongoIndex


class UnknownDomain(LookupError):
    def __init__(self, name: str):
        known = ", ".join(sorted(domain_names())) or "(none)"
        super().__init__(f"unknown store domain {name!r}; registered domains: {known}")


@dataclass(frozen=True)
class DomainSpec:
    """What the cutover machinery needs to know about one store domain."""

    name: str
    flag: str  # the legacy env flag that seeds its first mode (settings.CUTOVER_FLAG_MODES)
    port: str  # dotted path of the port (ABC) its repositories implement; its MAPS name the collections
    # A domain whose store needs code of its own (chat's embedded messages) names its repository classes,
    # subclasses of (MongoBackend or PostgresBackend, the port); by default they are made from the port.
    mongo_repository: str = ""
    postgres_repository: str = ""
    depends_on: tuple[str, ...] = field(default=())  # backfill parents (domain names)
    demo_seeder: str = ""  # dotted path of `seed(*, size, rng, context) -> int`, for seed_demo
    mongo_indexes: tuple[MongoIndex, ...] = ()  # created by ensure_mongo_indexes
    # Short-lived collections whose expired documents need no backfill: collection -> expiry field.
    backfill_skips_expired: tuple[tuple[str, str], ...] = ()
    # Names of the scheduled tasks (settings.SCHEDULED_TASKS) that purge this domain's expired records
    # (their freshness is on the cutover dashboard).
    purge_tasks: tuple[str, ...] = ()
    # A domain whose rejected documents carry money (the ledger) names, as dotted paths,
    # `effect(collection, document) -> cutover.backfill.money_rejects.MoneyEffect | None` and
    # `compensate(effect, *, reference) -> entry id`: acknowledging such a reject shows its balance effect and
    # needs a compensating entry or a second user's confirmation (cutover.backfill.money_rejects).
    reject_money_effect: str = ""
    compensate_reject: str = ""
    # An insert-only domain's correction: dotted path of `(entry_id, reference) -> record`, a new entry that
    # cancels an old one's effect (used to resolve an entry whose document was deleted from Mongo).
    compensating_entry: str = ""

    def __post_init__(self) -> None:
        if not LEGACY_FLAG.fullmatch(self.flag):
            raise ValueError(
                f"domain {self.name!r}: flag {self.flag!r} is not a legacy flag name (XXX_STORE, REPO_XXX)"
            )

    @property
    def collections(self) -> tuple[str, ...]:
        """Mongo collections this domain owns, parent tables first (the order of the port's MAPS); an element
        map's records live inside another collection's documents (cutover.store.elements), so it has none."""
        return tuple(m.collection for m in self.load_port().MAPS if getattr(m, "embedded_in", None) is None)

    def postgres_model(self, collection: str):
        """The Django model that holds `collection` in Postgres."""
        from django.apps import apps

        return apps.get_model(self.record_map(collection).model)

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

    def mongo_repository_class(self) -> type:
        return import_string(self.mongo_repository) if self.mongo_repository else _on_backend(self.port, MongoBackend)

    def postgres_repository_class(self) -> type:
        if self.postgres_repository:
            return import_string(self.postgres_repository)
        return _on_backend(self.port, PostgresBackend)

    def build_mongo_repository(self):
        return self.mongo_repository_class()()

    def build_postgres_repository(self):
        return self.postgres_repository_class()()

    def backend(self, store: str):
        """The repository of one store ("mongo" or "postgres"), built on its own: a Postgres-only caller
        never opens a Mongo client."""
        return self.build_mongo_repository() if store == "mongo" else self.build_postgres_repository()

    def backends(self) -> dict[str, object]:
        """One repository per store, by store name: what mirrors, backfill and verify work on."""
        return {store: self.backend(store) for store in ("mongo", "postgres")}


@cache
def _on_backend(port_path: str, backend: type) -> type:
    """The port's use cases on a backend's primitives, e.g. MongoDisputeRepository (made once)."""
    port = import_string(port_path)
    name = backend.__name__.removesuffix("Backend") + port.__name__
    return type(
        name, (backend, port), {"__module__": port.__module__, "__doc__": f"{port.__name__} on {backend.store}"}
    )


@cache
def _specs() -> dict[str, DomainSpec]:
    specs: dict[str, DomainSpec] = {}
    flags: dict[str, str] = {}
    for path in settings.CUTOVER_DOMAINS:
        spec = import_string(path)
        if spec.name in specs:
            raise ValueError(f"CUTOVER_DOMAINS lists two specs named {spec.name!r}")
        if spec.flag in flags:
            raise ValueError(f"domains {flags[spec.flag]!r} and {spec.name!r} both claim the flag {spec.flag}")
        specs[spec.name], flags[spec.flag] = spec, spec.name
    return specs


def domain_spec(name: str) -> DomainSpec:
    try:
        return _specs()[name]
    except KeyError:
        raise UnknownDomain(name) from None


def domain_names() -> list[str]:
    return list(_specs())


def flag_mode(domain: str) -> str | None:
    """The mode the domain's legacy flag names in this process's environment, or None when it is not set."""
    return settings.CUTOVER_FLAG_MODES.get(domain_spec(domain).flag)


def domain_of_flag(flag: str) -> str | None:
    return next((spec.name for spec in _specs().values() if spec.flag == flag), None)


def domains_in_dependency_order() -> list[DomainSpec]:
    """Registered domains, parents before children (the backfill order); otherwise in the
    order CUTOVER_DOMAINS lists them, which follows docs/legacy-collections.md."""
    registered = domain_names()
    pending = {name: set(_parents(name, registered)) for name in registered}
    order: list[str] = []
    while pending:
        ready = next((name for name in registered if name in pending and not pending[name] - set(order)), None)
        if ready is None:
            raise ValueError(f"store domains depend on each other in a cycle: {sorted(pending)}")
        order.append(ready)
        del pending[ready]
    return [domain_spec(name) for name in order]


def _parents(name: str, registered: list[str]) -> list[str]:
    spec = domain_spec(name)
    for parent in spec.depends_on:
        if parent not in registered:
            raise ValueError(f"domain {name!r} depends on {parent!r}, which is not a registered store domain")
    return list(spec.depends_on)


def declared_mongo_indexes(domains: list[str] | None = None) -> list[tuple[str, MongoIndex]]:
    """(domain, index) for every Mongo index the named domains (default: all) declare."""
    return [(name, index) for name in domains or domain_names() for index in domain_spec(name).mongo_indexes]
