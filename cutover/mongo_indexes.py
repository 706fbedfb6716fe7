"""Create the Mongo indexes every registered domain declares, TTL indexes included.

While a domain is in `mongo` mode its expiring documents are removed by these
TTL indexes, as in the legacy app; from the dual modes on, the scheduled purges
do it in both stores. create_index is idempotent, so this is safe to rerun.
"""

from escrow_project.mongo import mongo_database

from .registry import MongoIndex, domain_names, domain_spec


def ensure_mongo_indexes(*, domains: list[str] | None = None, database=None) -> list[str]:
    """Create every declared index; return their descriptions."""
    database = database if database is not None else mongo_database()
    created = []
    for name in domains or domain_names():
        for index in domain_spec(name).mongo_indexes:
            # create_index rather than create_indexes([IndexModel]): mongomock drops the partial
            # filter on the latter; on a real server the two are the same.
            database[index.collection].create_index(list(index.keys), **_options(index))
            created.append(f"{name}: {index.collection}.{index.name}{_describe(index)}")
    return created


def _options(index: MongoIndex) -> dict:
    options: dict = {"name": index.name}
    if index.unique:
        options["unique"] = True
    if index.partial_filter:
        options["partialFilterExpression"] = index.partial_filter
    if index.expire_after_seconds is not None:
        options["expireAfterSeconds"] = index.expire_after_seconds
    return options


def _describe(index: MongoIndex) -> str:
    notes = ["unique"] * index.unique + ["partial"] * bool(index.partial_filter)
    if index.expire_after_seconds is not None:
        notes.append(f"TTL {index.expire_after_seconds}s")
    return f" ({', '.join(notes)})" if notes else ""
