"""Create the Mongo indexes every registered domain declares, TTL indexes included.

While a domain is in `mongo` mode its expiring documents are removed by these
TTL indexes, as in the legacy app; from the dual modes on, the scheduled purges
do it in both stores.

The legacy database already has indexes, some under the same names with other
options (a plain `createdAt_1` where we want a TTL; "unique when present" built
as unique + sparse). So each declared index is compared with what exists first
(`index_information`): the same index is left alone, a plain index that only
lacks its TTL is converted in place with `collMod` (MongoDB allows that), and
any other difference is reported, never dropped or rebuilt behind the
operator's back. One index's problem never stops the others.
"""

from dataclasses import dataclass

from pymongo.errors import ConnectionFailure, PyMongoError

from escrow_project.mongo import mongo_database


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
class IndexOutcome:
    domain: str
    collection: str
    name: str
    status: str  # created, present, converted_to_ttl, conflict, failed
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("created", "present", "converted_to_ttl")

    def __str__(self) -> str:
        return f"{self.domain}: {self.collection}.{self.name} {self.status}" + (
            f" ({self.detail})" if self.detail else ""
        )


def ensure_mongo_indexes(declared: list[tuple[str, MongoIndex]], *, database=None) -> list[IndexOutcome]:
    """Make every declared (domain, index) exist; one outcome per index, whatever happened to the others."""
    database = database if database is not None else mongo_database(long_running=True)  # builds take long
    outcomes = []
    for name, index in declared:
        try:
            status, detail = _ensure(database[index.collection], index)
        except ConnectionFailure:
            raise  # Mongo is unreachable: every other index would wait out the same timeout
        except PyMongoError as error:
            status, detail = "failed", f"{type(error).__name__}: {error}"
        outcomes.append(IndexOutcome(name, index.collection, index.name, status, detail))
    return outcomes


def _ensure(collection, index: MongoIndex) -> tuple[str, str]:
    existing = _existing(collection, index)
    if existing is None:
        # create_index rather than create_indexes([IndexModel]): mongomock drops the partial
        # filter on the latter; on a real server the two are the same.
        collection.create_index(list(index.keys), **_options(index))
        return "created", _describe(index)
    differences = _differences(existing, index)
    if not differences:
        return "present", ""
    if differences == ["expireAfterSeconds"] and existing.get("expireAfterSeconds") is None and len(index.keys) == 1:
        collection.database.command(
            {
                "collMod": collection.name,
                "index": {"name": existing["name"], "expireAfterSeconds": index.expire_after_seconds},
            }
        )
        return "converted_to_ttl", f"expireAfterSeconds={index.expire_after_seconds}"
    wanted = ", ".join(f"{option}={_options(index).get(option)!r}" for option in differences)
    found = ", ".join(f"{option}={existing.get(option)!r}" for option in differences)
    return "conflict", f"index {existing['name']!r} has {found}; wanted {wanted}. Drop or rebuild it by hand"


def _existing(collection, index: MongoIndex) -> dict | None:
    """The index with our name or our key pattern, as index_information describes it."""
    for name, info in collection.index_information().items():
        if name == index.name or [tuple(key) for key in info["key"]] == list(index.keys):
            return info | {"name": name}
    return None


def _differences(existing: dict, index: MongoIndex) -> list[str]:
    wanted = _options(index)
    differences = [
        option
        for option in ("unique", "sparse", "partialFilterExpression", "expireAfterSeconds")
        if _normal(existing.get(option)) != _normal(wanted.get(option))
    ]
    if [tuple(key) for key in existing["key"]] != list(index.keys):
        differences.insert(0, "key")
    if existing["name"] != index.name:
        differences.append("name")
    return differences


def _normal(value):
    return None if value is None or value is False else value


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
    return ", ".join(notes)
