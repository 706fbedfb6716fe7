"""Proof that nothing touches Mongo: a local port that counts every connection made to it, and a guard that
fails any attempt to build a Mongo client in this process."""

import contextlib
import selectors
import socket
import threading

import pymongo

import escrow_project.mongo as mongo_module


class MongoTripwire:
    """A listening port that accepts and drops every connection, counting them. A MONGO_URL pointing here
    makes any client that connects visible, in this process or any process started with it."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.setblocking(False)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self._socket.getsockname()[1]}/escrow"

    def _accept(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._socket, selectors.EVENT_READ)
            while not self._stop.is_set():
                for _ in selector.select(timeout=0.1):
                    with contextlib.suppress(BlockingIOError):
                        connection, _ = self._socket.accept()
                        self.connections += 1
                        connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


class MongoClientGuard:
    """Records (and refuses) every Mongo client this process tries to build."""

    def __init__(self, monkeypatch) -> None:
        self.attempts: list[str] = []
        real_build = mongo_module._build_client

        def build(url: str, **kwargs):
            self.attempts.append(url)
            raise AssertionError(f"a Mongo client was built for {url}")

        def client(*args, **kwargs):
            self.attempts.append(str(args[:1]))
            raise AssertionError("a pymongo.MongoClient was built")

        monkeypatch.setattr(mongo_module, "_build_client", build)
        monkeypatch.setattr(pymongo, "MongoClient", client)
        self.real_build = real_build
