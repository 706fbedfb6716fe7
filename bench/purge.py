"""Batched purge of old notifications vs one plain DELETE, measured in one run.

A notifications table of N rows (default 1,000,000), half older than 90 days.
For each way of deleting them: total time, the longest single statement
(batch), and the latency of single-row inserts made meanwhile by a concurrent
writer on its own connection.
Batches are sized by time (CUTOVER_PURGE_BATCH_SECONDS); --batch-size is the first batch's rows.
Targets (issue 15): batched total <= 1.5x single DELETE; longest batch <= 0.1x single DELETE;
concurrent insert p99 during the batched purge <= 50 ms.
Usage: python bench/purge.py [--rows 1000000] [--batch-size 5000]
"""

import argparse
import io
import threading
import time
from datetime import UTC, datetime, timedelta

from common import django_with_scratch_database, percentile, print_json

USERS = 1000


def main() -> None:
    args = _arguments()
    teardown = django_with_scratch_database(MONGO_URL="mongomock://bench-purge", CUTOVER_LOG_LEVEL="ERROR")
    try:
        figures = _measure(args)
    finally:
        teardown()
    _report(figures, args)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="notifications in the table (default 1,000,000)")
    parser.add_argument("--batch-size", type=int, default=5000, help="rows in the first purge batch (default 5000)")
    return parser.parse_args()


def _measure(args: argparse.Namespace) -> dict:
    from cutover.testing import set_store_mode

    set_store_mode("notification", "postgres")
    _insert_users()
    results = {}
    for way in ("single_delete", "batched"):
        _fill(args.rows)
        print(f"{way}: table filled with {args.rows:,} rows", flush=True)
        writer = ConcurrentWriter()
        writer.start()
        try:
            batches = _single_delete() if way == "single_delete" else _batched_purge(args.batch_size)
        finally:
            writer.stop()
        results[way] = {
            "total_s": round(sum(batches), 3),
            "longest_statement_s": round(max(batches), 3),
            "statements": len(batches),
            "concurrent_insert_p99_ms": writer.p99_ms(),
            "concurrent_insert_median_ms": writer.median_ms(),
            "concurrent_inserts": writer.count(),
        }
        print(f"{way}: {results[way]}", flush=True)
    return results


def _insert_users() -> None:
    from django.db import connection

    now = datetime.now(UTC)
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY users (id, email, password_hash, role, display_name, is_verified, level, created_at, updated_at)"
            " FROM STDIN"
        ) as copy,
    ):
        for number in range(USERS):
            copy.write_row((f"{number:024x}", f"bench{number}@example.com", "x", "user", "", True, 1, now, now))


def _fill(rows: int) -> None:
    from django.db import connection

    # Rows arrive in time order, as a real notifications table fills: the older half first,
    # spread over 60 days ending 95 days ago, then the newer half over the last 60 days.
    now = datetime.now(UTC)
    half = rows // 2
    step = timedelta(days=60) / max(half, 1)
    buffer = io.StringIO()
    for number in range(rows):
        start = now - timedelta(days=155) if number < half else now - timedelta(days=60)
        created = start + step * (number % half if half else 0)
        buffer.write(
            f"{number + 10**12:024x}\t{number % USERS:024x}\tbench\tTitle {number}\t\t{{}}\tf\t\\N\t"
            f"{created.isoformat()}\n"
        )
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications")
        with cursor.copy(
            "COPY notifications (id, user_id, type, title, body, data, is_read, read_at, created_at) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
        cursor.execute("VACUUM ANALYZE notifications")
        _checkpoint(cursor)


def _checkpoint(cursor) -> None:
    """Start each phase from a clean checkpoint, so neither pays for the fill's WAL."""
    from django.db import DatabaseError

    try:
        cursor.execute("CHECKPOINT")
    except DatabaseError:  # needs superuser (or pg_checkpoint); the figures are noisier without it
        print("note: CHECKPOINT not allowed for this user", flush=True)


def _single_delete() -> list[float]:
    from django.db import connection

    from notifications.records import RETENTION

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications WHERE created_at < %s", [datetime.now(UTC) - RETENTION])
    return [time.perf_counter() - started]


def _batched_purge(batch_size: int) -> list[float]:
    """The real service path, with each batch statement timed."""
    from cutover.modes.registry import domain_spec

    PostgresNotificationRepository = domain_spec("notification").postgres_repository_class()
    from notifications.services import purge_old_notifications

    timings: list[float] = []
    original = PostgresNotificationRepository.purge_batch

    def timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            timings.append(time.perf_counter() - started)

    PostgresNotificationRepository.purge_batch = timed
    try:
        purge_old_notifications(batch_size=batch_size)
    finally:
        PostgresNotificationRepository.purge_batch = original
    return timings


class ConcurrentWriter:
    """Inserts one notification at a time on its own connection, timing each, until stopped."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._latencies: list[float] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        time.sleep(0.2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg
        from django.db import connection

        with psycopg.connect(autocommit=True, **_plain_params(connection.get_connection_params())) as conn:
            number = 0
            while not self._stop.is_set():
                number += 1
                started = time.perf_counter()
                conn.execute(
                    "INSERT INTO notifications (id, user_id, type, title, body, data, is_read, created_at)"
                    " VALUES (%s, %s, 'live', 'new', '', '{}', false, now())",
                    [f"{number + 9 * 10**15:024x}", f"{number % USERS:024x}"],
                )
                self._latencies.append(time.perf_counter() - started)
                time.sleep(0.005)

    def count(self) -> int:
        return len(self._latencies)

    def p99_ms(self) -> float:
        return round(percentile(self._latencies, 0.99) * 1000, 2)

    def median_ms(self) -> float:
        return round(percentile(self._latencies, 0.5) * 1000, 2)


def _plain_params(params: dict) -> dict:
    return {key: value for key, value in params.items() if key not in ("cursor_factory", "context")}


def _report(results: dict, args: argparse.Namespace) -> None:
    single, batched = results["single_delete"], results["batched"]
    ratios = {
        "batched_total_vs_single": round(batched["total_s"] / single["total_s"], 3),
        "longest_batch_vs_single": round(batched["longest_statement_s"] / single["total_s"], 3),
    }
    targets = {
        "batched_total_vs_single_max": 1.5,
        "batched_total_ok": ratios["batched_total_vs_single"] <= 1.5,
        "longest_batch_vs_single_max": 0.1,
        "longest_batch_ok": ratios["longest_batch_vs_single"] <= 0.1,
        "insert_p99_during_batched_ok": batched["concurrent_insert_p99_ms"] <= 50,
    }
    print_json(
        {
            "benchmark": "purge",
            "rows": args.rows,
            "batch_size": args.batch_size,
            **results,
            "ratios": ratios,
            "targets": targets,
        }
    )


if __name__ == "__main__":
    main()
