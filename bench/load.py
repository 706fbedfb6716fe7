"""Load with a Mongo outage: concurrent clients drive the app's write paths in `dual` for a bounded time.

Clients (threads, each with its own database connection) register users, update them, open disputes and
add evidence, through the services, as requests would. Mongo (the embedded stand-in, litemongo files) is
made unavailable for the middle part of the run (real pymongo against a closed local port), then comes
back; the outbox is repaired and every record written is compared between the two stores.
Everything runs on 127.0.0.1 (a scratch database on DATABASE_URL's local server, or the embedded one), as
the runtime role, with the production default mirror (CUTOVER_MIRROR=background: a relay child process,
started against the closed port for the outage and again against the store when it ends).

Prints writes/s, p50/p99 latency, errors (those caused by Mongo apart) and the records that differ
between the stores after repair. Targets: 0 differing records, 0 errors caused by Mongo. Last line JSON.
Usage: python bench/load.py [--seconds 30] [--clients 8] [--outage 0.33-0.66]
"""

import argparse
import collections
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import escrow_parents, percentile, print_json  # noqa: E402

CLOSED_PORT = "mongodb://127.0.0.1:9/escrow"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def main() -> None:
    args = _arguments()
    teardown = _django(f"litemongo://{tempfile.mkdtemp(prefix='bench-load-')}")
    try:
        figures = _run(args)
    finally:
        teardown()
    _report(figures)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the clients write (default 30)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--outage", default="0.33-0.66", help="when Mongo is down, as fractions of the run")
    args = parser.parse_args()
    start, end = (float(part) for part in args.outage.split("-"))
    if not (args.seconds > 0 and args.clients > 0 and 0 <= start < end <= 1):
        parser.error("--seconds and --clients must be above 0, --outage START-END within 0-1")
    args.outage_window = (start * args.seconds, end * args.seconds)
    return args


def _django(mongo_url: str):
    os.environ.update(MONGO_URL=mongo_url, CUTOVER_MIRROR="background", MONGO_TIMEOUT_MS="2000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escrow_project.settings")
    os.environ.setdefault("ESCROW_STORE_DEFAULTS", "embedded")  # a developer tool (settings.py); the child too
    # A relay child started against the closed port is configured as a server: it needs a key (this run's own).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("CUTOVER_LOG_LEVEL", "CRITICAL")
    import django

    django.setup()
    from django.db import connection

    from cutover.testing import setup_databases_as_owner, teardown_databases_as_owner, use_runtime_and_owner_roles

    use_runtime_and_owner_roles()
    host = str(connection.get_connection_params().get("host") or "127.0.0.1")
    if not (host in LOCAL_HOSTS or host.startswith("/")):
        raise SystemExit(f"bench/load.py runs against 127.0.0.1 only; DATABASE_URL's host is {host!r}")
    config = setup_databases_as_owner()
    _background_child_on_this_database()

    def teardown() -> None:
        from cutover.mirror.dispatch import dispatcher

        # Its relay child's connections would keep the scratch database from dropping.
        if not dispatcher.stop(timeout=30):
            print("note: the background mirror did not stop within 30 s", flush=True)
        _until_no_other_sessions(seconds=15)
        teardown_databases_as_owner(config)

    return teardown


def _until_no_other_sessions(seconds: float) -> None:
    """A stopped process's sessions end a moment after it does (the server notices the closed socket)."""
    from django.db import connection

    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)
    connection.close()


def _background_child_on_this_database() -> None:
    """The background mirror's relay child (cutover.mirror.relay_child) is a process of its own: it must
    use the scratch database too (it inherits the environment, which names the configured one)."""
    from cutover.mirror.dispatch import dispatcher
    from cutover.testing import database_url_for_other_processes

    dispatcher.child.env = {
        "DATABASE_URL": database_url_for_other_processes(),
        "CUTOVER_LOG_LEVEL": os.environ["CUTOVER_LOG_LEVEL"],
        "MONGO_TIMEOUT_MS": os.environ["MONGO_TIMEOUT_MS"],
    }


class Clients:
    """The write paths, each recorded: latency of acknowledged writes, errors by kind, ids written."""

    def __init__(self, parents: dict[str, str]):
        self.parents = parents
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: collections.Counter = collections.Counter()
        self.mongo_errors = 0
        self.users: list[str] = []
        self.disputes: list[str] = []

    def one_write(self, rng: random.Random) -> None:
        path = rng.choice(self._paths())
        started = time.perf_counter()
        try:
            path(rng)
        except Exception as error:  # counted by kind; Mongo's apart (its outage must never reach a client)
            from pymongo.errors import PyMongoError

            with self.lock:
                self.errors[f"{type(error).__name__}: {str(error)[:80]}"] += 1
                self.mongo_errors += isinstance(error, PyMongoError)
            return
        with self.lock:
            self.latencies.append(time.perf_counter() - started)

    def _paths(self):
        paths = [self.register]
        if self.users:
            paths += [self.update, self.update, self.open_dispute]
        if self.disputes:
            paths += [self.add_evidence, self.add_evidence]
        return paths

    def register(self, rng: random.Random) -> None:
        from accounts.services import user_register
        from cutover.store.legacy import new_id

        user = user_register(email=f"{new_id()}@load.example", password_hash="$2b$12$" + "x" * 53)
        with self.lock:
            self.users.append(user.id)

    def update(self, rng: random.Random) -> None:
        from accounts.services import user_update

        user_update(user_id=rng.choice(self.users), display_name=f"load {rng.randrange(10**6)}")

    def open_dispute(self, rng: random.Random) -> None:
        from disputes.services import dispute_open

        dispute = dispute_open(
            purchase_request_id=self.parents["request"],
            opened_by_id=self.parents["buyer"],
            against_user_id=self.parents["seller"],
            reason="not_received",
        )
        with self.lock:
            self.disputes.append(dispute.id)

    def add_evidence(self, rng: random.Random) -> None:
        from disputes.services import dispute_add_evidence

        dispute_add_evidence(
            dispute_id=rng.choice(self.disputes),
            url=f"https://evidence.example/{rng.randrange(10**9)}",
            uploaded_by_id=self.parents["buyer"],
        )


def _run(args: argparse.Namespace) -> dict:
    from cutover.testing import set_store_mode

    for domain in ("auth", "marketplace", "dispute"):
        set_store_mode(domain, "dual")
    clients = Clients(escrow_parents_in_both_stores())
    started = time.monotonic()
    outage = _OutageSwitch(started, args.outage_window)
    threads = [threading.Thread(target=_client, args=(clients, started, args.seconds, n)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        outage.follow_the_clock()
        time.sleep(0.05)  # the outage's clock, not synchronization: clients never wait on it
    outage.end()
    elapsed = time.monotonic() - started
    written_while_down = _outbox_rows_between(*outage.down_at)
    pending_before_repair, repaired_in = _repair()
    return {
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "mongo_down_seconds": round(outage.down_seconds, 1),
        "writes": len(clients.latencies),
        "writes_per_s": round(len(clients.latencies) / elapsed, 1),
        "p50_ms": round(percentile(clients.latencies, 0.5) * 1000, 2),
        "p99_ms": round(percentile(clients.latencies, 0.99) * 1000, 2),
        "errors": sum(clients.errors.values()),
        "errors_by_kind": dict(clients.errors.most_common(5)),
        "errors_caused_by_mongo": clients.mongo_errors,
        "mirror_writes_while_mongo_down": written_while_down,
        "outbox_pending_at_repair": pending_before_repair,
        "repair_seconds": round(repaired_in, 2),
        "records_compared": len(clients.users) + len(clients.disputes),
        "records_differing_after_repair": _differing("auth", "users", clients.users)
        + _differing("dispute", "disputes", clients.disputes),
    }


def escrow_parents_in_both_stores() -> dict[str, str]:
    """The users and purchase request disputes point at, in both stores (as a backfill leaves them)."""
    from cutover.modes.registry import domain_spec

    parents = escrow_parents()
    for domain, collection, key in (("auth", "users", "buyer"), ("auth", "users", "seller")):
        record = domain_spec(domain).backends()["postgres"].get_snapshot(collection, parents[key])
        domain_spec(domain).backends()["mongo"].put_snapshot(record)
    return parents


def _client(clients: Clients, started: float, seconds: float, number: int) -> None:
    from django.db import connection

    rng = random.Random(number)
    try:
        while time.monotonic() - started < seconds:
            clients.one_write(rng)
    finally:
        connection.close()


class _OutageSwitch:
    """Mongo down from window[0] to window[1] seconds into the run: MONGO_URL points at a closed port."""

    def __init__(self, started: float, window: tuple[float, float]):
        from django.conf import settings

        self.started, self.window, self.working = started, window, settings.MONGO_URL
        self.down_since: float | None = None
        self.down_seconds = 0.0
        self.down_at: list = []  # [start, end] wall-clock times, for the outbox rows written meanwhile

    def follow_the_clock(self) -> None:
        now = time.monotonic() - self.started
        if self.down_since is None and self.window[0] <= now < self.window[1] and not self.down_seconds:
            self._point_at(CLOSED_PORT)
            self.down_since = time.monotonic()
            self.down_at = [_now()]
        elif self.down_since is not None and now >= self.window[1]:
            self.end()

    def end(self) -> None:
        if self.down_since is not None:
            self._point_at(self.working)
            self.down_at.append(_now())
            self.down_seconds = time.monotonic() - self.down_since
            self.down_since = None

    @staticmethod
    def _point_at(url: str) -> None:
        from django.conf import settings

        from cutover.mirror.dispatch import dispatcher
        from escrow_project.mongo import reset_mongo_clients

        settings.MONGO_URL = url
        reset_mongo_clients()
        # The relay child mirrors in a process of its own: it sees the outage only if it is started against
        # the closed port (the next write starts it with settings.MONGO_URL), and the end only if restarted.
        dispatcher.stop(timeout=30)  # under the dispatcher's lock: a client's write may be starting one


def _now():
    from django.utils import timezone

    return timezone.now()


def _outbox_rows_between(start, end) -> int:
    """Dual writes acknowledged while Mongo was down: each one's Mongo copy had to wait for Mongo."""
    from cutover.models import MirrorOutboxEntry

    return MirrorOutboxEntry.objects.filter(created_at__gte=start, created_at__lt=end).count()


def _repair() -> tuple[int, float]:
    """Mongo is back: what the scheduled repair does over time, now. (pending before, seconds taken)"""
    from django.utils import timezone

    from cutover.mirror.breaker import mongo_breaker
    from cutover.mirror.dispatch import dispatcher
    from cutover.mirror.outbox import outbox_repair_pending
    from cutover.models import MirrorOutboxEntry

    dispatcher.drain(timeout=120)
    mongo_breaker.reset()
    pending = MirrorOutboxEntry.objects.filter(status="pending")
    before, started = pending.count(), time.monotonic()
    for _ in range(100):
        if not pending.exists():
            break
        pending.update(next_attempt_at=timezone.now())
        outbox_repair_pending(limit=2000)
    return before, time.monotonic() - started


def _differing(domain: str, collection: str, ids: list[str]) -> int:
    from cutover.modes.registry import domain_spec

    stores = domain_spec(domain).backends()
    return sum(
        1
        for record_id in ids
        if (snapshot := stores["postgres"].get_snapshot(collection, record_id)) is None
        or stores["mongo"].get_snapshot(collection, record_id) != snapshot
    )


def _report(figures: dict) -> None:
    for name, value in figures.items():
        print(f"{name}: {value}")
    targets = {"records_differing_after_repair": 0, "errors_caused_by_mongo": 0}
    met = all(figures[name] <= limit for name, limit in targets.items())
    print_json({**figures, "targets": targets, "targets_met": met})


if __name__ == "__main__":
    main()
