"""deploy/prometheus/alerts.yml: it loads, each rule says what to do, and every metric it names is on /metrics."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from tests.api.alarm_faults import scheduled_tasks_ran

pytestmark = pytest.mark.django_db
RULES = Path(django_settings.BASE_DIR) / "deploy" / "prometheus" / "alerts.yml"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
NEEDED = {
    "CutoverOutboxLag",
    "CutoverDeadMirrorWrites",
    "CutoverMirrorRelayDown",
    "CutoverScheduledTaskLate",
    "CutoverShadowMismatchRate",
}


def _rules() -> list[dict]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _exposed(settings) -> set[str]:
    settings.METRICS_TOKEN = "a-test-scrape-token-0123456789"
    answer = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer a-test-scrape-token-0123456789")
    assert answer.status_code == 200
    names = set()
    for family in text_string_to_metric_families(answer.content.decode()):
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names


def test_the_alerts_an_operator_needs_each_say_what_to_do():
    rules = _rules()
    assert {rule["alert"] for rule in rules} >= NEEDED
    for rule in rules:
        assert rule["labels"]["severity"], rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]
        assert re.search(r"manage\.py \w+|/api/health", rule["annotations"]["fix"]), rule["alert"]


def test_every_metric_the_rules_name_is_exposed_by_metrics(settings):
    scheduled_tasks_ran()
    exposed = _exposed(settings)
    named = {name for rule in _rules() for name in re.findall(r"\bescrow_[a-z_]+\b", rule["expr"])}
    assert named and named <= exposed, sorted(named - exposed)


def test_the_check_can_fail_a_misspelt_metric_is_not_exposed(settings):
    assert "escrow_cutover_outbox_deads" not in _exposed(settings)
