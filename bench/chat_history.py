"""Chat at scale: a chat of 50,000 messages against a chat of 10, measured in one run.

- post: one message posted in `dual` (Postgres primary), the Mongo mirror included
  (CUTOVER_MIRROR=inline, so the mirror runs in the timed call): p50 of large vs small.
- page / unread: the newest page of 50 messages and a participant's unread count (in
  `dual`, so from Postgres): p50 of large vs small.
- backfill: rows/s of the 50,000-message chat's backfill (one document, its messages read
  and loaded in slices) against the payments backfill of as many documents, same run.
- memory: peak RSS of the chat backfill above its source data, for N and 2N messages,
  each in a fresh process: flat means 2N within a few MB of N.

Mongo is the in-memory stand-in (mongomock), since no MongoDB server runs here. The stand-in
deep-copies a whole document on every update (about a second for a 50,000-message chat),
which a server does not do, so the post ratio is measured on the time spent outside the
stand-in's calls (our code: Postgres, the outbox, the mirror's reads and command building);
the raw figure with the stand-in's time is printed too (the heap is collected, untimed, before each
post, for the same reason), and the size of the largest command
the mirror sends (what a real server's cost depends on) is reported for both chats.
Targets: post, page and unread p50 ratios <= 1.5; backfill rows/s >= 0.5x payments;
memory (the allocator's peak during the backfill) 2N - N <= 8 MB.
Usage: python bench/chat_history.py [--messages 50000] [--ops 40] [--reads 300]
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from common import ROOT, django_with_scratch_database, escrow_parents, print_json
from standin_clock import StandinClock

SMALL = 10


def main() -> None:
    # Celery's Django fix-up puts the working directory first on sys.path: from bench/, this very
    # file would then shadow the `chat` app.
    os.chdir(ROOT)
    args = _arguments()
    if args.memory_only:
        print(json.dumps(_memory_run(args.messages)))
        return
    teardown = django_with_scratch_database(MONGO_URL="mongomock://bench-chat", CUTOVER_MIRROR="inline")
    try:
        figures = _measure(args)
    finally:
        teardown()
    figures["memory"] = {str(n): _memory_in_fresh_process(n) for n in (args.messages, 2 * args.messages)}
    _report(figures, args)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=50_000, help="messages of the large chat (default 50,000)")
    parser.add_argument("--ops", type=int, default=20, help="posts per chat (default 20)")
    parser.add_argument("--reads", type=int, default=300, help="page and unread reads per chat (default 300)")
    parser.add_argument("--memory-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def chat_document(messages: int, users: tuple[ObjectId, ObjectId]) -> dict:
    """A legacy chat: messages alternate between the two users; the second has read all but the last 5."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=60)
    items = [
        {
            "_id": ObjectId(),
            "senderId": users[index % 2],
            "body": f"message {index}: is it still available? 👍",
            "attachments": [],
            "createdAt": start + timedelta(seconds=index),
            "readBy": [users[index % 2]] + ([users[1 - index % 2]] if index < messages - 5 else []),
        }
        for index in range(messages)
    ]
    return {
        "_id": ObjectId(),
        "participants": list(users),
        "messages": items,
        "lastMessageAt": items[-1]["createdAt"],
        "createdAt": start,
        "updatedAt": start,
    }


def _measure(args: argparse.Namespace) -> dict:
    from cutover.modes.store_mode import StoreMode
    from cutover.testing import set_store_mode
    from escrow_project.mongo import mongo_database

    parents = escrow_parents()
    users = (ObjectId(parents["buyer"]), ObjectId(parents["seller"]))
    database = mongo_database()
    large, small = chat_document(args.messages, users), chat_document(SMALL, users)
    database.chats.insert_many([large, small])
    figures = {"backfill": _backfill_rates(args.messages, parents)}
    set_store_mode("chat", StoreMode.DUAL)
    # The stand-in keeps its documents as Python objects (a million for the large chat): frozen, so the
    # garbage collector does not walk them on our time (a server keeps them in its own process).
    gc.collect()
    gc.freeze()
    clock = StandinClock(database.chats)
    chats = {"large": str(large["_id"]), "small": str(small["_id"])}
    figures["post"] = _posts(chats, str(users[0]), args.ops, clock)
    figures["page"] = _reads(chats, args.reads, lambda repo, chat: repo.list_messages(chat, limit=50))
    figures["unread"] = _reads(chats, args.reads, lambda repo, chat: repo.unread_count(chat, user_id=str(users[1])))
    return figures


def _backfill_rates(messages: int, parents: dict) -> dict:
    """The chat backfill and, in the same run, the payments backfill of as many documents."""
    from raw_bson_source import RawBsonSource, payment_documents

    from cutover.backfill.service import backfill_domain

    payments = RawBsonSource(payment_documents(messages))
    started = time.perf_counter()
    backfill_domain("payment", source=payments, restart=True)
    payment_seconds = time.perf_counter() - started
    started = time.perf_counter()
    run = backfill_domain("chat", restart=True)
    chat_seconds = time.perf_counter() - started
    loaded = run.summary["chat_messages"]["written"]
    if loaded < messages + SMALL:
        raise SystemExit(f"chat backfill loaded {loaded} messages of {messages + SMALL}: {run.summary}")
    rates = {
        "payments_rows_per_s": round(messages / payment_seconds, 1),
        "chat_messages_per_s": round(loaded / chat_seconds, 1),
        "chat_seconds": round(chat_seconds, 3),
    }
    print(
        f"backfill: payments {rates['payments_rows_per_s']:,.0f} rows/s, chat {rates['chat_messages_per_s']:,.0f} "
        f"messages/s",
        flush=True,
    )
    return rates


def _posts(chats: dict[str, str], sender: str, ops: int, clock: "StandinClock") -> dict:
    from chat.services import chat_post_message

    samples: dict[str, list[float]] = {"large": [], "small": []}
    raw: dict[str, list[float]] = {"large": [], "small": []}
    command_bytes: dict[str, int] = {"large": 0, "small": 0}
    for index in range(ops):
        for name in ("small", "large") if index % 2 else ("large", "small"):
            _settle_heap()
            clock.reset()
            started = time.perf_counter()
            chat_post_message(chat_id=chats[name], sender_id=sender, body=f"bench {index}")
            elapsed = time.perf_counter() - started
            raw[name].append(elapsed)
            samples[name].append(elapsed - clock.seconds)
            command_bytes[name] = max(command_bytes[name], clock.largest_command)
    figures = {name: _p50_ms(samples[name]) for name in samples}
    figures |= {f"{name}_on_standin": _p50_ms(raw[name]) for name in raw}
    figures |= {f"{name}_largest_command_bytes": command_bytes[name] for name in command_bytes}
    print(
        f"post p50: large {figures['large']} ms, small {figures['small']} ms (outside the stand-in); "
        f"with it {figures['large_on_standin']} / {figures['small_on_standin']} ms",
        flush=True,
    )
    return figures


def _settle_heap() -> None:
    """Untimed: collect, then freeze what survives. The stand-in's last update left a fresh copy of the
    large chat (a million objects) for the collector; walking it is the stand-in's cost, not ours."""
    gc.collect()
    gc.freeze()


def _reads(chats: dict[str, str], reads: int, read) -> dict:
    from cutover.factory import repository_for

    samples: dict[str, list[float]] = {"large": [], "small": []}
    for index in range(reads):
        for name in ("small", "large") if index % 2 else ("large", "small"):
            repo = repository_for("chat")
            started = time.perf_counter()
            read(repo, chats[name])
            samples[name].append(time.perf_counter() - started)
    return {name: _p50_ms(values) for name, values in samples.items()}


def _p50_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def _memory_run(messages: int) -> dict:
    """In a fresh process: peak RSS of the chat backfill above the RSS once the source chat is stored."""
    from memory import PeakRss

    teardown = django_with_scratch_database(MONGO_URL="mongomock://bench-chat-memory", CUTOVER_LOG_LEVEL="ERROR")
    try:
        from cutover.backfill.service import backfill_domain
        from escrow_project.mongo import mongo_database

        parents = escrow_parents()
        database = mongo_database()
        database.chats.insert_one(chat_document(messages, (ObjectId(parents["buyer"]), ObjectId(parents["seller"]))))
        gc.collect()
        tracemalloc.start()
        with PeakRss() as peak:
            backfill_domain("chat", restart=True)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {
            "messages": messages,
            "peak_rss_above_source_mb": round(peak.above_start_mb, 1),
            # RSS hides what reuses the memory freed by building the source; the allocator's own peak does not
            "peak_python_allocated_mb": round(traced_peak / 2**20, 1),
        }
    finally:
        teardown()


def _memory_in_fresh_process(messages: int) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--memory-only", "--messages", str(messages)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    print(
        f"memory {messages:>9,} messages: peak {figures['peak_python_allocated_mb']} MB allocated, "
        f"RSS {figures['peak_rss_above_source_mb']} MB above the source",
        flush=True,
    )
    return figures


def _report(figures: dict, args: argparse.Namespace) -> None:
    small_mb, large_mb = (
        figures["memory"][str(n)]["peak_python_allocated_mb"] for n in (args.messages, 2 * args.messages)
    )
    ratios = {
        "post_p50_large_vs_small": round(figures["post"]["large"] / figures["post"]["small"], 3),
        "post_p50_large_vs_small_on_standin": round(
            figures["post"]["large_on_standin"] / figures["post"]["small_on_standin"], 3
        ),
        "post_command_bytes_large_vs_small": round(
            figures["post"]["large_largest_command_bytes"] / figures["post"]["small_largest_command_bytes"], 3
        ),
        "page_p50_large_vs_small": round(figures["page"]["large"] / figures["page"]["small"], 3),
        "unread_p50_large_vs_small": round(figures["unread"]["large"] / figures["unread"]["small"], 3),
        "backfill_chat_vs_payments_rows_per_s": round(
            figures["backfill"]["chat_messages_per_s"] / figures["backfill"]["payments_rows_per_s"], 3
        ),
        "memory_2n_minus_n_mb": round(large_mb - small_mb, 1),
    }
    targets = {
        "post_ok": ratios["post_p50_large_vs_small"] <= 1.5 and ratios["post_command_bytes_large_vs_small"] <= 1.5,
        "page_ok": ratios["page_p50_large_vs_small"] <= 1.5,
        "unread_ok": ratios["unread_p50_large_vs_small"] <= 1.5,
        "backfill_rate_ok": ratios["backfill_chat_vs_payments_rows_per_s"] >= 0.5,
        "memory_flat_ok": ratios["memory_2n_minus_n_mb"] <= 8,
    }
    print_json({"benchmark": "chat", "messages": args.messages, **figures, "ratios": ratios, "targets": targets})


if __name__ == "__main__":
    main()
