"""The OpenAPI 3 schema at /api/schema/: valid (openapi-spec-validator), every endpoint and method in it, each
operation naming the permissions it needs; the docs page loads its files from the app, never a CDN."""

import re

import pytest
import yaml
from openapi_spec_validator import validate

from api.permissions import api_views
from tests.api.test_permission_matrix import ENDPOINTS

pytestmark = pytest.mark.django_db
NOT_IN_SCHEMA = {"api-health", "api-schema", "api-docs", None}  # plain Django views, or the schema


def _schema(api) -> dict:
    answer = api.get("/api/schema/")
    assert answer.status_code == 200
    return yaml.safe_load(answer.content)


def test_the_schema_is_valid_openapi_3_with_every_endpoint(api):
    schema = _schema(api)
    validate(schema)
    assert schema["openapi"].startswith("3.")
    expected = {
        (re.sub(r"<str:(\w+)>", r"{\1}", route), method.lower())
        for name, route, view, method in ENDPOINTS
        if name not in NOT_IN_SCHEMA
    }
    documented = {(path, method) for path, operations in schema["paths"].items() for method in operations}
    assert expected <= documented, expected - documented
    assert len(expected) >= 14


def test_each_operation_says_what_it_needs(api):
    operations = _schema(api)["paths"]
    assert "payments.change_payment" in operations["/api/payments/{payment_id}"]["patch"]["description"]
    assert "Anyone" in operations["/api/auth/token"]["post"]["description"]
    patch = operations["/api/payments/{payment_id}"]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert patch["$ref"].endswith("PatchedPaymentUpdate") or patch["$ref"].endswith("PaymentUpdate")
    listing = {p["name"] for p in operations["/api/disputes"]["get"]["parameters"]}
    assert {"status", "priority", "admin_id", "limit"} <= listing


def test_the_docs_page_uses_no_cdn(api):
    answer = api.get("/api/docs/")
    assert answer.status_code == 200
    sources = re.findall(rb'(?:src|href)="([^"]+)"', answer.content)
    assert sources and all(not source.startswith((b"http:", b"https:", b"//")) for source in sources), sources


def test_the_walk_finds_every_route():
    routes = {route for _, route, _ in api_views()}
    assert "/api/payments/<str:payment_id>/ledger-entries" in routes and "/api/health" in routes
