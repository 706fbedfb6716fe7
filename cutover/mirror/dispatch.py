"""Runs mirror writes after commit, off the request path (CUTOVER_MIRROR=background, the default).

In `dual` mode the request commits its Postgres write and outbox row and returns. Who mirrors it:
- a Mongo store every process sees (a MongoDB server, litemongo files): this process's relay child
  (cutover.mirror.relay_child), woken by the outbox NOTIFY like `mirror_relay`, on another core. As a
  thread here its Python held the GIL the requests wait for (measured there);
- `mongomock://` (one process's memory, the tests): a thread here, mirroring the entries handed to it
  a burst at a time (one wake-up, one status update, each record mirrored once however often it was
  written).
Nothing here is needed for durability: a row neither reaches (queue full, breaker open, process or
child killed) stays pending and the repair task mirrors it. CUTOVER_MIRROR=inline runs it in the caller.
"""

import atexit
import logging
import os
import queue
import sys
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from cutover.mirror.outbox import outbox_process_entries, outbox_process_entry
from cutover.mirror.relay_child import RelayChild, wait_until_mirrored
from cutover.models import MirrorOutboxEntry
from escrow_project.mongo import shared_between_processes

logger = logging.getLogger("cutover.mirror.dispatch")
_QUEUE_SIZE = 10_000
_IDLE_SECONDS = 1.0
_BATCH = 100  # entries mirrored per wake-up at most
_GATHER_SECONDS = 0.02  # how long a wake-up waits for more entries (the mirror's lag grows by this at most)
_SWITCH_INTERVAL = 0.0005
_STOP = object()  # queued by stop(): the thread ends when it reaches it


class MirrorDispatcher:
    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=_QUEUE_SIZE)
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self.child = RelayChild()
        self._last_entry_id = 0  # the newest entry handed to the relay child

    def submit(self, entry: MirrorOutboxEntry) -> None:
        if shared_between_processes():  # a relay child sees the same store
            with self._lock:
                self._last_entry_id = max(self._last_entry_id, entry.pk)
                self.child.ensure_running()
            return  # the outbox trigger's NOTIFY wakes it at commit
        self._ensure_thread()
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            logger.warning("mirror queue full; %s left for the repair task", entry)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every submitted entry was tried. True if the queue emptied (and the relay child
        mirrored every due entry up to the last one submitted)."""
        if self.child.pid is not None and not wait_until_mirrored(self._last_entry_id, timeout):
            return False
        return self.drain_queue(timeout)

    def drain_queue(self, timeout: float) -> bool:
        """Wait until the thread has tried every entry handed to it. True if the queue emptied."""
        done = threading.Event()
        threading.Thread(target=lambda: (self._queue.join(), done.set()), daemon=True).start()
        return done.wait(timeout)

    def stop(self, timeout: float = 10.0) -> bool:
        """Mirror what was submitted, then end the thread and close its database connection (a test
        database can then be dropped); stop the relay child. True once both have ended; the next submit
        starts a new one."""
        with self._lock:
            if not self.child.stop(timeout):
                return False
            thread = self._thread
            if thread is None or not thread.is_alive() or self._pid != os.getpid():
                return True
            self._queue.put(_STOP)
        thread.join(timeout)
        return not thread.is_alive()

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            if self._pid != os.getpid():  # forked: the parent's queue and thread are not ours
                self._queue = queue.Queue(maxsize=_QUEUE_SIZE)
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="cutover-mirror", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        # The request threads get the GIL back within half a millisecond of each database answer while
        # this thread runs Python (the default five made every dual write wait behind the mirror).
        sys.setswitchinterval(min(sys.getswitchinterval(), _SWITCH_INTERVAL))
        while True:
            try:
                first = self._queue.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                connection.close()  # idle: give the connection back
                continue
            entries = self._gather(first)
            stop = _STOP in entries
            try:
                outbox_process_entries([entry for entry in entries if entry is not _STOP])
            except Exception:  # the rows stay pending; never let the thread die
                logger.exception("mirror of %d entries failed", len(entries))
                close_old_connections()
            finally:
                for _ in entries:
                    self._queue.task_done()
            if stop:
                connection.close()
                return

    def _gather(self, first) -> list:
        """`first` and what arrives within _GATHER_SECONDS after it (up to _BATCH entries): one wake-up and
        one status update for a burst of writes instead of one each."""
        entries = [first]
        deadline = time.monotonic() + _GATHER_SECONDS
        while first is not _STOP and len(entries) < _BATCH and entries[-1] is not _STOP:
            remaining = deadline - time.monotonic()
            try:
                entries.append(self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait())
            except queue.Empty:
                break
        return entries


dispatcher = MirrorDispatcher()
# At exit the thread's queue is worth a few seconds; the relay child finishes the burst in hand and goes
# (killed, we leave it to see its parent gone). The repair task takes whatever neither reached.
atexit.register(lambda: (dispatcher.drain_queue(timeout=5.0), dispatcher.child.stop(timeout=5.0)))


def mirror_after_commit(entry: MirrorOutboxEntry) -> None:
    """Schedule the mirror of `entry` for when the surrounding transaction commits."""
    if settings.CUTOVER_MIRROR == "relay":
        return  # the outbox trigger wakes the relay process (cutover.mirror.relay) at commit
    if settings.CUTOVER_MIRROR == "inline":
        transaction.on_commit(lambda: outbox_process_entry(entry), robust=True)
    else:
        transaction.on_commit(lambda: dispatcher.submit(entry))
