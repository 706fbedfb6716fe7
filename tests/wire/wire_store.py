"""A MockupDB server (MongoDB's wire-protocol test server, as PyMongo's own tests use it) in front of the
legacy test store: real pymongo clients speak OP_MSG to it over a socket on 127.0.0.1, and its responders
answer each command from the mongomock database the test filled (queries evaluated by mongomock, replies
encoded by MockupDB). A test scripts what a server does wrong by putting a fault first in line: a responder
that hangs up, or answers a command with an error document, for the requests it matches.

Only what the tested paths send is answered (find, getMore, killCursors, count, insert, update, delete,
listCollections, drop, ping); any other command is refused at once (CommandNotFound, and listed in
`unanswered`), so no client ever waits on a request nothing answers, even one without a socket timeout (the
backfill's). Every client built here has short timeouts too."""

import itertools
import threading
from collections.abc import Callable

import bson
import pymongo
from mockupdb import MockupDB

# What a MongoDB 7 replica set primary says of itself (pymongo 4.20 needs wire version >= 9). Sessions
# (logicalSessionTimeoutMinutes) and a set name make pymongo retry writes and reads as it would on a replica
# set; clients connect directly (directConnection=true), so the set's host list is never dialled.
HELLO = {
    "ismaster": True,
    "setName": "wire",
    "isWritablePrimary": True,
    "minWireVersion": 0,
    "maxWireVersion": 21,
    "logicalSessionTimeoutMinutes": 30,
}
TIMEOUT_MS = 3000
# A stepped-down primary's answer to a write. Servers from 4.4 label it retryable, and pymongo (wire version >= 9)
# retries a write only on that label, as it would against a real replica set.
NOT_WRITABLE_PRIMARY = {
    "ok": 0,
    "code": 10107,
    "codeName": "NotWritablePrimary",
    "errmsg": "not primary",
    "errorLabels": ["RetryableWriteError"],
}
CURSOR_NOT_FOUND = {"ok": 0, "code": 43, "codeName": "CursorNotFound", "errmsg": "cursor id not found"}


class WireStore:
    """One MockupDB server answering from `backing` (a pymongo-API database: the legacy mongomock store)."""

    def __init__(self, backing, *, hello: dict | None = None, reply_cap: int = 0):
        self.backing = backing
        # The most documents one reply carries (0: as many as asked). A server stops a reply at 16 MiB and
        # the client asks for the rest with getMore: a small cap makes every batch take that path.
        self.reply_cap = reply_cap
        self.server = MockupDB(auto_ismaster={**HELLO, **(hello or {})})
        self.commands: list[dict] = []  # every command answered or failed, in order (its document)
        self.errors: list[Exception] = []  # raised by a responder or a fault's matcher (a broken test script)
        self.unanswered: list[str] = []  # names of the commands no responder knows (refused: CommandNotFound)
        self._cursors: dict[int, tuple[str, list]] = {}
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._faults: list[tuple[Callable[[dict], bool], Callable]] = []

    def start(self) -> "WireStore":
        self.server.run()
        self.server.autoresponds(lambda request: self._answer(request))
        return self

    def stop(self) -> None:
        self.server.stop()

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.server.port}/{self.backing.name}?directConnection=true"

    def client(self, **options) -> pymongo.MongoClient:
        bounded = dict(serverSelectionTimeoutMS=TIMEOUT_MS, connectTimeoutMS=TIMEOUT_MS, socketTimeoutMS=TIMEOUT_MS)
        return pymongo.MongoClient(self.uri, tz_aware=True, **{**bounded, **options})

    # --- faults -----------------------------------------------------------------------------------------

    def fail(self, matches: Callable[[dict], bool], action, *, times: int = 1) -> None:
        """The next `times` commands that `matches` get `action` instead of an answer: "hangup" (the
        connection closes mid-reply, a network error) or a reply document (an error, a writeConcernError)."""
        remaining = itertools.count(times, -1)
        self._faults.append((lambda doc: matches(doc) and next(remaining) > 0, action))

    def heal(self) -> None:
        """Every fault still waiting is dropped: the server answers again."""
        with self._lock:
            self._faults.clear()

    def names(self) -> list[str]:
        return [next(iter(doc)) for doc in self.commands]

    # --- answers ----------------------------------------------------------------------------------------

    def _answer(self, request) -> bool:
        try:
            return self._answer_or_raise(request)
        except Exception as error:  # noqa: BLE001 - a broken script: answered as an error, never left hanging
            self.errors.append(error)
            request.replies({"ok": 0, "code": 1, "codeName": "InternalError", "errmsg": f"wire store: {error!r}"})
            return True

    def _answer_or_raise(self, request) -> bool:
        doc = request.doc
        name = next(iter(doc), "")
        with self._lock:
            self.commands.append(dict(doc))
            for matches, action in self._faults:
                if matches(doc):
                    if action == "hangup":
                        request.hangup()
                    else:
                        request.replies(action)
                    return True
            handler = getattr(self, f"_{name}", None)
            if name.lower() in ("ismaster", "hello"):
                return False  # the handshake is MockupDB's (auto_ismaster)
            if handler is None:  # refused at once, as a server refuses a command it does not know: nothing hangs
                self.unanswered.append(name)
                request.replies({"ok": 0, "code": 59, "codeName": "CommandNotFound", "errmsg": f"not scripted: {name}"})
                return True
            request.replies(handler(doc))
            return True

    def _find(self, doc: dict) -> dict:
        cursor = self.backing[doc["find"]].find(doc.get("filter", {}), doc.get("projection"))
        if doc.get("sort"):
            cursor = cursor.sort(list(doc["sort"].items()))
        if doc.get("limit"):
            cursor = cursor.limit(doc["limit"])
        found = list(cursor)
        size = self._reply_size(doc)
        return self._cursor(doc["find"], found[:size], found[size:], "firstBatch")

    def _getMore(self, doc: dict) -> dict:
        collection, rest = self._cursors.pop(int(doc["getMore"]), (None, None))
        if rest is None:
            return CURSOR_NOT_FOUND
        size = self._reply_size(doc)
        return self._cursor(collection, rest[:size], rest[size:], "nextBatch")

    def _reply_size(self, doc: dict) -> int:
        size = doc.get("batchSize") or 101
        return min(size, self.reply_cap) if self.reply_cap else size

    def _cursor(self, collection: str, batch: list, rest: list, key: str) -> dict:
        cursor_id = next(self._ids) if rest else 0
        if rest:
            self._cursors[cursor_id] = (collection, rest)
        ns = f"{self.backing.name}.{collection}"
        return {"cursor": {"id": bson.Int64(cursor_id), "ns": ns, key: batch}, "ok": 1}

    def _killCursors(self, doc: dict) -> dict:
        for cursor_id in doc.get("cursors", []):
            self._cursors.pop(int(cursor_id), None)
        return {"cursorsKilled": doc.get("cursors", []), "ok": 1}

    def _count(self, doc: dict) -> dict:
        return {"n": self.backing[doc["count"]].count_documents(doc.get("query") or {}), "ok": 1}

    def _listCollections(self, doc: dict) -> dict:
        names = [{"name": name, "type": "collection"} for name in self.backing.list_collection_names()]
        return self._cursor("$cmd.listCollections", names, [], "firstBatch")

    def _drop(self, doc: dict) -> dict:
        self.backing.drop_collection(doc["drop"])
        return {"ok": 1}

    def _ping(self, doc: dict) -> dict:
        return {"ok": 1}

    def _endSessions(self, doc: dict) -> dict:
        return {"ok": 1}

    def _insert(self, doc: dict) -> dict:
        documents = doc.get("documents", [])
        self.backing[doc["insert"]].insert_many(documents)
        return {"n": len(documents), "ok": 1}

    def _update(self, doc: dict) -> dict:
        collection, matched, modified, upserted = self.backing[doc["update"]], 0, 0, []
        for index, statement in enumerate(doc.get("updates", [])):
            update = statement["u"]
            if any(key.startswith("$") for key in update):
                write = collection.update_many if statement.get("multi") else collection.update_one
                result = write(statement["q"], update, upsert=statement.get("upsert", False))
            else:
                result = collection.replace_one(statement["q"], update, upsert=statement.get("upsert", False))
            matched += result.matched_count
            modified += result.modified_count
            if result.upserted_id is not None:
                upserted.append({"index": index, "_id": result.upserted_id})
        reply = {"n": matched + len(upserted), "nModified": modified, "ok": 1}
        return reply | ({"upserted": upserted} if upserted else {})  # a server leaves it out when empty

    def _delete(self, doc: dict) -> dict:
        collection, deleted = self.backing[doc["delete"]], 0
        for statement in doc.get("deletes", []):
            write = collection.delete_one if statement.get("limit") == 1 else collection.delete_many
            deleted += write(statement["q"]).deleted_count
        return {"n": deleted, "ok": 1}
