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
    os.environ.setdefault("CUTOVER_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.test.utils import setup_databases, teardown_databases

    config = setup_databases(verbosity=0, interactive=False)
    return lambda: teardown_databases(config, verbosity=0)


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
