"""Latency of a dispute status change per store mode, measured in one run.

- postgres: the baseline. Its writes are fenced too (cutover.mirror.single: a stale `postgres` cache must not
  skip the outbox after `postgres → dual`); postgres_unfenced is the same with that fence replaced by a plain
  transaction, for reference: what the fence costs a postgres-mode write, in the same rounds.
- dual: Postgres primary with the production mirror set-up, CUTOVER_MIRROR=relay
  (a `mirror_relay` process mirrors each write to Mongo as it commits).
- dual_mongo_down: the same with Mongo down (real pymongo against a closed
  local port): the relay's breaker opens, and requests should not notice.
- dual_background: the default mirror setting (a relay child of the app process mirrors after commit,
  cutover.mirror.relay_child; started untimed, as a process's first write starts it once).
- dual_inline: mirrors in the request, for reference.
- dual_unfenced: `dual` with the mode-change write fence (cutover.modes.fence) replaced
  by a plain transaction, for reference: the fence's own cost, in the same rounds.

Modes are interleaved in rounds so drift on the machine hits them alike. Mongo
is the embedded stand-in (litemongo files), since no MongoDB server runs here.
Every dual write runs under the mode-change write fence (cutover.modes.fence); its own
cost is also measured apart: a transaction with the fence statement against one
with `SELECT 1` in its place (fence_ms).
Targets (issue 15): dual_background (the default mirror) <= 1.3x postgres at the median; dual (relay)
<= 1.3x at the median; dual_mongo_down <= 1.3x at p99.
Usage: python bench/dual_write.py [--ops 3000] [--disputes 200] [--rounds 5] [--modes postgres,postgres_unfenced]
"""

import argparse
import contextlib
import itertools
import tempfile
import time

from common import django_with_scratch_database, escrow_parents, print_json, summary_ms
from relay_process import RelayProcess

CLOSED_PORT = "mongodb://127.0.0.1:9/escrow"
MODES = ["postgres", "dual", "dual_mongo_down", "dual_background", "dual_inline", "dual_unfenced", "postgres_unfenced"]
ONE_STORE = ("postgres", "postgres_unfenced")
MIRROR_SETTING = {
    "dual": "relay",
    "dual_mongo_down": "relay",
    "dual_background": "background",
    "dual_inline": "inline",
    "dual_unfenced": "relay",
}


def main() -> None:
    args = _arguments()
    mongo_dir = tempfile.mkdtemp(prefix="bench-dual-write-")
    teardown = django_with_scratch_database(MONGO_URL=f"litemongo://{mongo_dir}", CUTOVER_MIRROR="inline")
    try:
        samples = _measure(args)
        fence = _fence_cost(args.ops)
    finally:
        teardown()
    _report(samples, fence)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=3000, help="status changes per mode (default 3000)")
    parser.add_argument("--disputes", type=int, default=200, help="disputes the changes cycle over (default 200)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument(
        "--modes", type=_modes, default=MODES, help=f"comma-separated, postgres first (default all: {','.join(MODES)})"
    )
    return parser.parse_args()


def _modes(value: str) -> list[str]:
    modes = value.split(",")
    unknown = [mode for mode in modes if mode not in MODES]
    if unknown or modes[0] != "postgres":
        raise argparse.ArgumentTypeError(f"modes must start with postgres and be among {', '.join(MODES)}")
    return modes


def _measure(args: argparse.Namespace) -> dict[str, list[float]]:
    from django.conf import settings

    settings.CUTOVER_BREAKER_COOLDOWN_SECONDS = 3600
    parents = escrow_parents()
    ids = {mode: _seed(mode, args.disputes, parents) for mode in args.modes}
    samples: dict[str, list[float]] = {mode: [] for mode in args.modes}
    for _ in range(args.rounds):
        for mode in args.modes:
            samples[mode] += _timed_phase(mode, ids[mode], args.ops // args.rounds)
            _drain_outbox()
    return samples


def _timed_phase(mode: str, ids: list[str], count: int) -> list[float]:
    from django.conf import settings

    from cutover.mirror.dispatch import dispatcher

    _use_mode("postgres" if mode in ONE_STORE else "dual")
    settings.CUTOVER_MIRROR = MIRROR_SETTING.get(mode, "inline")
    relay = None
    if settings.CUTOVER_MIRROR == "relay":
        mongo_url = CLOSED_PORT if mode == "dual_mongo_down" else settings.MONGO_URL
        relay = RelayProcess(mongo_url=mongo_url).start()
    if settings.CUTOVER_MIRROR == "background":
        _start_background_mirror(ids)
    try:
        unfenced = {"dual_unfenced": "cutover.mirror.dual", "postgres_unfenced": "cutover.mirror.single"}.get(mode)
        with _unfenced(unfenced) if unfenced else contextlib.nullcontext():
            timings = _status_changes(ids, count)
        dispatcher.drain(timeout=300)
    finally:
        if relay:
            relay.stop()
        dispatcher.stop(timeout=30)  # its relay child must not mirror the other modes' writes
    return timings


def _start_background_mirror(ids: list[str]) -> None:
    """Untimed: one write, mirrored, so the background mirror's relay child (started by the first write in
    a process, cutover.mirror.relay_child) has set up Django and listens before the timed writes."""
    from cutover.mirror.dispatch import dispatcher

    dispatcher.child.env = RelayProcess(mongo_url="").env_for_background_child()
    _status_changes(ids[:1], 1)
    if not dispatcher.drain(timeout=60):
        raise RuntimeError("the background mirror did not mirror a write within 60 s")


@contextlib.contextmanager
def _unfenced(module_name: str):
    """The module's writes in a plain transaction, as before the fence: only to measure what the fence costs."""
    import importlib

    from django.db import transaction

    module = importlib.import_module(module_name)
    fenced = module.fenced_write
    module.fenced_write = lambda domain, expected: transaction.atomic()
    try:
        yield
    finally:
        module.fenced_write = fenced


def _use_mode(mode: str) -> None:
    from cutover.testing import set_store_mode

    set_store_mode("dispute", mode)


def _seed(mode: str, count: int, parents: dict[str, str]) -> list[str]:
    from django.conf import settings

    from disputes.services import dispute_open

    _use_mode("postgres" if mode in ONE_STORE else "dual")
    settings.CUTOVER_MIRROR = "inline"
    return [
        dispute_open(
            purchase_request_id=parents["request"],
            opened_by_id=parents["buyer"],
            against_user_id=parents["seller"],
            reason="not_received",
            description="bench",
        ).id
        for _ in range(count)
    ]


def _drain_outbox() -> None:
    """Untimed: mirror whatever a phase left (Mongo down) so it does not load the next phase."""
    from cutover.mirror.breaker import mongo_breaker
    from cutover.mirror.outbox import outbox_repair_pending
    from cutover.models import MirrorOutboxEntry

    mongo_breaker.reset()
    if not MirrorOutboxEntry.objects.exists():  # a postgres-only run
        return
    MirrorOutboxEntry.objects.filter(status="pending").update(
        next_attempt_at=MirrorOutboxEntry.objects.first().created_at
    )
    while outbox_repair_pending(limit=500).repaired:
        pass


def _status_changes(ids: list[str], count: int) -> list[float]:
    from cutover.store.legacy import new_id
    from disputes.services import dispute_change_status

    statuses = itertools.cycle(["under_review", "awaiting_response"])
    targets = itertools.cycle(ids)
    actor = new_id()
    timings = []
    for _ in range(count):
        dispute_id, status = next(targets), next(statuses)
        started = time.perf_counter()
        dispute_change_status(dispute_id=dispute_id, to_status=status, actor_id=actor)
        timings.append(time.perf_counter() - started)
    return timings


def _fence_cost(count: int) -> dict[str, float]:
    """Median of a transaction holding the fence minus one running `SELECT 1` instead, interleaved."""
    from django.db import connection, transaction

    timings: dict[str, list[float]] = {"fence": [], "select_1": []}
    statements = {"fence": ("SELECT cutover_mode_fence(%s)", ["dispute"]), "select_1": ("SELECT 1", [])}
    for _ in range(count):
        for name, (sql, params) in statements.items():
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchone()
            timings[name].append(time.perf_counter() - started)
    medians = {name: summary_ms(values)["median_ms"] for name, values in timings.items()}
    return {"fence_ms": round(medians["fence"] - medians["select_1"], 3), "fence_txn_median_ms": medians["fence"]}


def _report(samples: dict[str, list[float]], fence: dict[str, float]) -> None:
    from cutover.models import MirrorOutboxEntry  # noqa: F401 - Django is still set up here

    figures = {mode: summary_ms(values) for mode, values in samples.items()}
    base = figures["postgres"]
    for mode in figures:
        figure = figures[mode]
        figure["median_ratio"] = round(figure["median_ms"] / base["median_ms"], 3)
        figure["p99_ratio"] = round(figure["p99_ms"] / base["p99_ms"], 3)
        print(
            f"{mode:16} median {figure['median_ms']:7.3f} ms ({figure['median_ratio']:.2f}x)   "
            f"p99 {figure['p99_ms']:7.3f} ms ({figure['p99_ratio']:.2f}x)   n={figure['n']}"
        )
    if "postgres_unfenced" in figures:
        fence["postgres_vs_unfenced_median_ratio"] = round(
            figures["postgres"]["median_ms"] / figures["postgres_unfenced"]["median_ms"], 3
        )
        print(f"postgres / postgres_unfenced medians: {fence['postgres_vs_unfenced_median_ratio']:.2f}x")
    targets = {}
    if {"dual", "dual_unfenced", "dual_mongo_down", "dual_background"} <= set(figures):
        fence["dual_vs_unfenced_median_ratio"] = round(
            figures["dual"]["median_ms"] / figures["dual_unfenced"]["median_ms"], 3
        )
        targets = {
            "background_median_ratio_max": 1.3,
            "background_median_ok": figures["dual_background"]["median_ratio"] <= 1.3,
            "dual_median_ratio_max": 1.3,
            "dual_median_ok": figures["dual"]["median_ratio"] <= 1.3,
            "mongo_down_p99_ratio_max": 1.3,
            "mongo_down_p99_ok": figures["dual_mongo_down"]["p99_ratio"] <= 1.3,
        }
        print(f"dual / dual_unfenced medians: {fence['dual_vs_unfenced_median_ratio']:.2f}x")
    print(f"fence statement: +{fence['fence_ms']:.3f} ms per write (median, against SELECT 1)")
    print_json({"benchmark": "dual_write", **figures, "fence": fence, "targets": targets})


if __name__ == "__main__":
    main()
