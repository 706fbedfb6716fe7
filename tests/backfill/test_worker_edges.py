"""Hostile documents through the worker path (raw BSON decoded and COPY-formatted in forked workers): what
loads, what is rejected and what verify says must be exactly what the in-process path gives."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import bson
import pytest
from bson import Decimal128, Int64, ObjectId
from bson.datetime_ms import DatetimeMS

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillCheckpoint, BackfillRangeDigest, BackfillReject
from notifications.models import Notification
from payments.models import Payment
from tests.conftest import ROOT, other_process_env
from tests.cutover.fence_helpers import poll
from tests.cutover.test_relay_child import _running
from tests.perf import test_worker_pipeline
from tests.perf.test_worker_pipeline import _parents, _source, _submitted


@pytest.fixture(autouse=True)
def _codec_of_the_server_client(monkeypatch):
    """The documents decoded as escrow_project.mongo's server client decodes them (dates out of range too)."""
    codec = bson.CodecOptions(tz_aware=True, tzinfo=UTC, datetime_conversion=bson.DatetimeConversion.DATETIME_AUTO)
    monkeypatch.setattr(test_worker_pipeline, "_CODEC", codec)


_NASTY_TEXT = [
    "tab\there",
    "back\\slash\\N",
    "\\.",
    "new\nline\r\n",
    "crlf\r",
    "ünïcødé 😀 \u2028\u2029",
    "x" * 200_000,
    "\x01\x1f\x7f",
    "\\N",
    "",
    " ",
]


def _rows(model) -> list[tuple]:
    return list(model.objects.order_by("pk").values_list(*[f.attname for f in model._meta.concrete_fields]))


def _rejects() -> list[tuple]:
    fields = ("collection", "record_id", "kind", "reason", "document", "status")
    return list(BackfillReject.objects.order_by("collection", "record_id").values_list(*fields))


def _forget(model, collection: str) -> None:
    model.objects.all().delete()
    BackfillReject.objects.filter(collection=collection).delete()
    BackfillRangeDigest.objects.filter(collection=collection).delete()
    BackfillCheckpoint.objects.filter(collection=collection).delete()


def _both_paths(domain, model, collection, batch_size=4):
    run, submitted = _submitted(lambda: backfill_domain(domain, source=_source(True), batch_size=batch_size))
    assert submitted > 0
    through_workers = (_rows(model), _rejects())
    verified = verify_domain(domain, source=_source(True), range_size=batch_size)
    _forget(model, collection)
    _, submitted = _submitted(lambda: backfill_domain(domain, source=_source(False), batch_size=batch_size))
    assert submitted == 0
    in_process = (_rows(model), _rejects())
    verified_here = verify_domain(domain, source=_source(False), range_size=batch_size)
    return through_workers, in_process, verified, verified_here


def test_hostile_payments_load_the_same_through_the_workers(legacy):
    for text in _NASTY_TEXT:
        legacy.payment(txHash=text)
    for amount in [
        Decimal128("NaN"),
        Decimal128("Infinity"),
        Decimal128("-Infinity"),
        Decimal128("-0"),
        Decimal128("0E-6176"),
        Decimal128("9.999999999999999999999999999999999E+6144"),
        Decimal128("1E-18"),
        Decimal128("9999999999999999.999999999999999999"),
        Decimal128("123456789012345678901234567890"),
        float("nan"),
        float("inf"),
        1e300,
        -1,
        Int64(2**63 - 1),
        "12.5",
        " 7 ",
    ]:
        legacy.payment(amount=amount)
    for moment in [
        datetime(1969, 12, 31, 23, 59, 59, 999000, UTC),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999000, UTC),
        DatetimeMS(-(2**62)),
        DatetimeMS(2**62),
        "2024-01-01T10:00:00+05:00",
        "0001-01-01T00:00:00+01:00",
        -62135596800001,
        datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=-5))),
    ]:
        legacy.payment(createdAt=moment)
    legacy.payment(confirmations=2**40)
    legacy.payment(confirmations=Int64(-(2**63)))
    legacy.payment(confirmations=3.7)
    legacy.payment(status="CONFIRMED", nested={"a": {"b": [1, {"c": Decimal128("1")}]}}, **{"we.ird": 1})
    legacy.payment(txHash="nul\x00inside")
    twin = legacy.payment()
    legacy.payment(_id=str(twin["_id"]))  # an id clash: the ObjectId's hex as a string _id
    legacy.payment(_id=str(ObjectId()).upper())  # a string _id alone
    legacy.payment(_id=42)
    legacy.payment(_id={"odd": 1})
    _parents()
    workers, here, verified, verified_here = _both_paths("payment", Payment, "payments")
    assert workers == here
    assert verified.counts == verified_here.counts and verified.samples == verified_here.samples


def test_hostile_notification_data_loads_the_same_through_the_workers(legacy):
    user = legacy.user()
    values = [
        {"when": datetime(2020, 1, 1, tzinfo=UTC), "id": ObjectId(), "money": Decimal128("1.10")},
        {"nan": float("nan")},
        {"inf": float("inf")},
        {"big": Int64(2**63 - 1), "neg": -(2**31)},
        {"text": "tab\t back\\ nl\n cr\r \\N"},
        {"nul": "a\x00b"},
        {"$weird": 1, "a.b": 2},
        ["a", 1, None, True],
        "just a string \\ \t",
        {"deep": [[[[[[[[[[{"x": 1}]]]]]]]]]]},
        {"bytes": b"\x00\x01"},
        {"huge": "y" * 100_000},
        {"uni": "😀\u2028"},
        None,
        {"dec": Decimal128("NaN")},
        {"old": datetime(1, 1, 1, tzinfo=UTC)},
        {"far": DatetimeMS(2**62)},
    ]
    for value in values:
        legacy.notification(user, data=value)
    backfill_domain("auth")
    workers, here, verified, verified_here = _both_paths("notification", Notification, "notifications")
    assert workers == here
    assert verified.counts == verified_here.counts and verified.samples == verified_here.samples


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


_KILLED_BACKFILL = """
import os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escrow_project.settings")
django.setup()
from cutover.backfill.service import backfill_domain
from tests.perf.test_worker_pipeline import RawSource
from escrow_project.mongo import mongo_database

class Stalls(RawSource):
    calls = 0
    def raw_batch(self, *args, **kwargs):
        self.calls += 1
        if self.calls == 3:  # two batches with the workers: then the process is killed
            print("stalled", flush=True)
            time.sleep(300)
        return super().raw_batch(*args, **kwargs)

backfill_domain("payment", source=Stalls(mongo_database(), raw=True), batch_size=2)
"""


def test_a_killed_backfill_leaves_no_worker_behind_and_no_lock_held(shared_mongo, legacy):
    """kill -9 of a backfill must release its run lock ("a killed process holds nothing"): forked workers that
    outlive it hold its database socket open, so the server never ends its session (nor its advisory lock)."""
    for _ in range(6):
        legacy.payment()
    _parents()
    process = subprocess.Popen(
        [sys.executable, "-c", _KILLED_BACKFILL], cwd=ROOT, env=other_process_env(), stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().strip() == "stalled"
        workers = _children_of(process.pid)
        assert workers
    finally:
        process.kill()
        process.wait()
    assert poll(lambda: not any(_running(pid) for pid in workers), seconds=10), "the workers outlived the backfill"
    run = backfill_domain("payment", source=_source(True), batch_size=2)  # not refused as "already running"
    assert Payment.objects.count() == 6 and run.status == "finished"
