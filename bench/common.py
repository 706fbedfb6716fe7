"""Shared set-up for benchmarks: Django on a throw-away database, timing helpers."""

import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def django_with_scratch_database(**env: str):
    """Start Django with `env`, create and migrate a scratch database; return a teardown function."""
    for key, value in env.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escrow_project.settings")
    os.environ.setdefault("ESCROW_STORE_DEFAULTS", "embedded")  # a developer tool (settings.py)
    os.environ.setdefault("CUTOVER_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from cutover.testing import setup_databases_as_owner, teardown_databases_as_owner

    config = setup_databases_as_owner()  # the embedded server has two roles; a DATABASE_URL alone, one
    return lambda: teardown_databases_as_owner(config)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary_ms(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples) * 1000, 3),
        "p99_ms": round(percentile(samples, 0.99) * 1000, 3),
        "n": len(samples),
    }


def print_json(figures: dict) -> None:
    print(json.dumps(figures, sort_keys=True))


def escrow_parents() -> dict[str, str]:
    """Two users and a purchase request in the scratch database, for the records a benchmark writes."""
    from decimal import Decimal

    from accounts.records import UserRecord
    from cutover.modes.registry import domain_spec
    from cutover.store.legacy import new_id, now_ms
    from marketplace.records import CategoryRecord, PurchaseRequestRecord

    at = now_ms()
    postgres = {name: domain_spec(name).backends()["postgres"] for name in ("auth", "marketplace")}
    users = [
        UserRecord(
            id=new_id(),
            email=f"{new_id()}@bench.example",
            password_hash="x",
            role="user",
            display_name="",
            telegram_id=None,
            is_verified=True,
            level=1,
            created_at=at,
            updated_at=at,
        )
        for _ in range(2)
    ]
    for user in users:
        postgres["auth"].put_snapshot(user)
    category = CategoryRecord(id=new_id(), name="Bench", slug=new_id(), parent_id=None, is_active=True, sort_order=0)
    postgres["marketplace"].put_snapshot(category)
    request = PurchaseRequestRecord(
        id=new_id(),
        buyer_id=users[0].id,
        seller_id=users[1].id,
        seller_offer_id=None,
        category_id=category.id,
        title="Bench",
        description="",
        amount=Decimal("1"),
        currency="USDT",
        status="accepted",
        accepted_at=at,
        completed_at=None,
        created_at=at,
        updated_at=at,
    )
    postgres["marketplace"].put_snapshot(request)
    return {"buyer": users[0].id, "seller": users[1].id, "request": request.id}
