"""A stricter mongomock: the MongoDB server rules this project depends on and mongomock does not enforce.

No MongoDB server can run on these machines, so the Mongo side is tested on
mongomock (litemongo's vendored copy). Where mongomock is more forgiving than a
real 6.0-8.0 server, the tests would pass on code that fails in production; so
this layer, installed for the whole test suite (tests/conftest.py), makes the
stand-in refuse what a server refuses, with the server's error codes and
details. Each rule cites the manual page it follows.

Emulated here: duplicate-key errors with `keyPattern` / `keyValue` (and sparse
unique indexes that index an explicit null); index option and key-spec
conflicts; the operators a partial filter may use; the 16 MiB document limit
and the size of a write command; `collMod` turning an index into a TTL index;
`$push` onto a field that is not an array (refused, code 2) and a `$slice`
projection of one (returned unsliced, where mongomock raises).
Not emulated (see README "Limits"): the TTL monitor, replica-set elections and
timeouts, query planning (which index a query uses), dates outside years
1-9999 (bson cannot even build them in Python; the parser refuses bson's
DatetimeMS instead).
"""

import threading

import bson
from litemongo._vendor.mongomock import collection as mongomock_collection
from litemongo._vendor.mongomock import database as mongomock_database
from litemongo._vendor.mongomock import helpers
from pymongo.errors import DocumentTooLarge, DuplicateKeyError, OperationFailure, WriteError

# https://www.mongodb.com/docs/manual/reference/limits/#mongodb-limit-BSON-Document-Size
MAX_DOCUMENT = 16 * 1024 * 1024
# A write command may carry a document of MAX_DOCUMENT plus 16 KiB of command overhead (pymongo raises
# DocumentTooLarge client-side beyond it): https://www.mongodb.com/docs/manual/reference/limits/
MAX_COMMAND = MAX_DOCUMENT + 16 * 1024
# https://www.mongodb.com/docs/manual/core/index-partial/#create-a-partial-index
PARTIAL_FILTER_OPERATORS = {"$eq", "$exists", "$gt", "$gte", "$lt", "$lte", "$type", "$in"}
PARTIAL_FILTER_LOGICAL = {"$and", "$or"}

_Collection = mongomock_collection.Collection
MONGOMOCK_PROJECTION_OPERATORS = _Collection._apply_projection_operators  # mongomock's own, kept for tests
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    _Collection._ensure_uniques = _ensure_uniques
    _Collection._insert = _wrap_insert(_Collection._insert)
    _Collection.create_index = _wrap_create_index(_Collection.create_index)
    for name in ("update_one", "update_many", "replace_one"):
        setattr(_Collection, name, _wrap_command_size(getattr(_Collection, name)))
    for name in ("update_one", "update_many"):
        setattr(_Collection, name, _wrap_push(getattr(_Collection, name)))
    _Collection._apply_projection_operators = _wrap_projection_operators(MONGOMOCK_PROJECTION_OPERATORS)
    mongomock_database.Database.command = _wrap_command(mongomock_database.Database.command)


def duplicate_key_error(collection, index_name: str, key_pattern: dict, key_value: dict) -> DuplicateKeyError:
    """As the server sends it (E11000, with keyPattern and keyValue in the write error's details)."""
    message = (
        f"E11000 duplicate key error collection: {collection.database.name}.{collection.name} "
        f"index: {index_name} dup key: {key_value}"
    )
    details = {"index": 0, "code": 11000, "keyPattern": key_pattern, "keyValue": key_value, "errmsg": message}
    return DuplicateKeyError(message, 11000, details)


class _ResultTooLarge(DuplicateKeyError):
    """Raised inside mongomock as a DuplicateKeyError only so that mongomock rolls the write back; the
    wrappers below turn it into the server's error (code 17419, "Resulting document after update is
    larger than 16777216")."""

    def __init__(self, size: int):
        super().__init__(f"document of {size} bytes is larger than {MAX_DOCUMENT}", 17419)


def _as_server_error(call):
    try:
        return call()
    except _ResultTooLarge as error:
        raise WriteError(str(error), 17419) from None


def _ensure_uniques(self, new_data) -> None:
    """mongomock's check, with the server's rules: a sparse index leaves out only documents that lack
    every indexed key; an explicit null *is* indexed (https://www.mongodb.com/docs/manual/core/index-sparse/)."""
    size = len(bson.encode(new_data))
    if size > MAX_DOCUMENT:
        raise _ResultTooLarge(size)
    for name, index in self._store.indexes.items():
        if not index.get("unique"):
            continue
        keys = [key for key, _ in index["key"]]
        present = [_has(new_data, key) for key in keys]
        if index.get("sparse") and not any(present):
            continue
        partial = index.get("partialFilterExpression")
        if partial is not None and not mongomock_collection.filter_applies(partial, new_data):
            continue
        values = {key: _value(new_data, key) for key in keys}
        query: dict = {"$and": [values]}
        if index.get("sparse"):
            query["$and"].append({"$or": [{key: {"$exists": True}} for key in keys]})
        if partial is not None:
            query["$and"].append(partial)
        if helpers.count_iter(self._iter_documents(query)) > 1:
            raise duplicate_key_error(self, name, dict(index["key"]), values)


# mongomock adds a document and then counts its unique keys: two threads inserting the same key at once
# both count two and both fail, where the server's index admits exactly one. Inserts are serialized.
_INSERTS = threading.RLock()


def _wrap_insert(original):
    def _insert(self, data, session=None, ordered=True):
        with _INSERTS:
            if isinstance(data, dict) and "_id" in data:
                identity = helpers.hashdict(data["_id"]) if isinstance(data["_id"], dict) else data["_id"]
                if identity in self._store:
                    raise duplicate_key_error(self, "_id_", {"_id": 1}, {"_id": data["_id"]})
            return _as_server_error(lambda: original(self, data, session=session, ordered=ordered))

    return _insert


def _wrap_create_index(original):
    """Index conflicts as the server reports them (codes 85 IndexOptionsConflict and 86
    IndexKeySpecsConflict: https://www.mongodb.com/docs/manual/reference/method/db.collection.createIndex/),
    and partial filters restricted to the operators the server accepts."""

    def create_index(self, keys, **kwargs):
        wanted = helpers.create_index_list(keys)
        name = kwargs.get("name") or helpers.gen_index_name(wanted)
        if kwargs.get("partialFilterExpression") is not None:
            _check_partial_filter(kwargs["partialFilterExpression"])
        for existing_name, existing in self._store.indexes.items():
            same_keys = list(existing["key"]) == list(wanted)
            if existing_name == name and not same_keys:
                raise OperationFailure(f"An existing index has the same name as the requested index: {name}", 86)
            if existing_name == name and not _same_options(existing, kwargs):
                raise OperationFailure(f"Index with name: {name} already exists with different options", 85)
            if existing_name != name and same_keys and _same_options(existing, kwargs):
                raise OperationFailure(f"Index already exists with a different name: {existing_name}", 85)
        return original(self, keys, **kwargs)

    return create_index


def _same_options(existing: dict, requested: dict) -> bool:
    def option(source: dict, name: str):
        value = source.get(name)
        return None if value is None or value is False else value  # unique=False is no option at all

    names = ("unique", "sparse", "expireAfterSeconds", "partialFilterExpression")
    return all(option(existing, name) == option(requested, name) for name in names)


def _check_partial_filter(expression: dict) -> None:
    for key, condition in expression.items():
        if key in PARTIAL_FILTER_LOGICAL:
            for part in condition:
                _check_partial_filter(part)
        elif key.startswith("$"):
            raise OperationFailure(f"unsupported expression in partial index: {key}", 67)
        elif isinstance(condition, dict) and any(op.startswith("$") for op in condition):
            bad = set(condition) - PARTIAL_FILTER_OPERATORS
            if bad or condition.get("$exists", True) is not True:
                raise OperationFailure(f"unsupported expression in partial index: {key} {condition}", 67)


def _wrap_command_size(original):
    def write(self, filter, update, *args, **kwargs):
        size = len(bson.encode({"q": filter, "u": update if isinstance(update, dict) else {}}))
        if size > MAX_COMMAND:
            raise DocumentTooLarge(f"command document too large: {size} bytes")
        return _as_server_error(lambda: original(self, filter, update, *args, **kwargs))

    return write


def _wrap_command(original):
    """collMod turning an index into a TTL one (MongoDB 5.1+:
    https://www.mongodb.com/docs/manual/reference/command/collMod/#change-index-properties)."""

    def command(self, command, **kwargs):
        if isinstance(command, dict) and "collMod" in command:
            return _coll_mod(self[command["collMod"]], command.get("index", {}))
        return original(self, command, **kwargs)

    return command


def _coll_mod(collection, change: dict) -> dict:
    for name, index in collection._store.indexes.items():
        if name == change.get("name") or list(index["key"]) == list(change.get("keyPattern", {}).items()):
            if "expireAfterSeconds" in change:
                if len(index["key"]) != 1:
                    raise OperationFailure("TTL indexes are single-field indexes", 72)
                index["expireAfterSeconds"] = change["expireAfterSeconds"]
            return {"ok": 1.0}
    raise OperationFailure("cannot find index", 27)


def _has(doc: dict, key: str) -> bool:
    try:
        helpers.get_value_by_dot(doc, key)
        return True
    except KeyError:
        return False


def _value(doc: dict, key: str):
    try:
        return helpers.get_value_by_dot(doc, key)
    except KeyError:
        return None


def _wrap_push(original):
    """`$push` onto a field that exists and is not an array: the server refuses the update (code 2, BadValue:
    "The field 'messages' must be an array but is of type null in document {_id: ...}") and changes nothing;
    mongomock raises a Python AttributeError instead. https://www.mongodb.com/docs/manual/reference/operator/update/push/
    ("If the field is absent ... adds the array field"; "If the field is not an array, the operation will fail")."""

    def write(self, filter, update, *args, **kwargs):
        pushed = [key for key in (update.get("$push") or {}) if "$" not in key] if isinstance(update, dict) else []
        if pushed:
            for doc in self.find(filter, {key: 1 for key in pushed}):
                for key in pushed:
                    if _has(doc, key) and not isinstance(_value(doc, key), list):
                        kind = _BSON_TYPE_NAMES.get(type(_value(doc, key)), type(_value(doc, key)).__name__)
                        raise WriteError(
                            f"The field '{key}' must be an array but is of type {kind} in document "
                            f"{{_id: {doc['_id']!r}}}",
                            2,
                        )
                if original.__name__ == "update_one":
                    break
        return original(self, filter, update, *args, **kwargs)

    write.__name__ = original.__name__
    return write


def _wrap_projection_operators(original):
    """A `$slice` projection of a field that is not an array returns it unsliced on a server
    (projection_executor_utils.cpp, applyFindSliceProjectionHelper: only arrays are sliced); mongomock raises
    OperationFailure ("Unsupported type ... for slicing"), which a server never sends for it."""

    def apply(self, ops, doc, doc_copy):
        kept = {}
        for field, op in list(ops.items()):
            value = doc_copy.get(field, doc.get(field)) if isinstance(op, dict) and "$slice" in op else None
            if "$slice" in (op if isinstance(op, dict) else {}) and field in doc and not isinstance(value, list):
                kept[field] = doc[field]
        original(self, {f: op for f, op in ops.items() if f not in kept}, doc, doc_copy)
        doc_copy.update(kept)

    return apply


_BSON_TYPE_NAMES = {type(None): "null", str: "string", int: "int", float: "double", bool: "bool", dict: "object"}
