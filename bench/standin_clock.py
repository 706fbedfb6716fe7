"""Time spent inside the Mongo stand-in's calls, so a benchmark can report its own code apart.

mongomock copies a whole document on each update (and scans embedded arrays in Python), so its
cost grows with the document in a way a MongoDB server's does not. StandinClock patches the
stand-in's collection and cursor classes (for the benchmark process only) to add up the time
spent in their outermost calls, and records the BSON size of the largest update command sent,
which is what a server's work and the network transfer depend on.
"""

import time

import bson


class StandinClock:
    def __init__(self, collection):
        self.seconds = 0.0
        self.largest_command = 0
        self._depth = 0
        collection_type = type(collection)
        cursor_type = type(collection.find({}).limit(1))
        for cls, name in [
            (collection_type, "update_one"),
            (collection_type, "find_one"),
            (collection_type, "insert_one"),
            (collection_type, "count_documents"),
            (collection_type, "find"),
            (cursor_type, "__next__"),
        ]:
            setattr(cls, name, self._timed(getattr(cls, name), measure=name == "update_one"))

    def reset(self) -> None:
        self.seconds = 0.0
        self.largest_command = 0

    def _timed(self, method, *, measure: bool):
        clock = self

        def timed(instance, *args, **kwargs):
            if measure and len(args) >= 2:
                clock.largest_command = max(
                    clock.largest_command, len(bson.encode(args[0])) + len(bson.encode(args[1]))
                )
            clock._depth += 1
            started = time.perf_counter()
            try:
                return method(instance, *args, **kwargs)
            finally:
                clock._depth -= 1
                if clock._depth == 0:
                    clock.seconds += time.perf_counter() - started

        return timed
