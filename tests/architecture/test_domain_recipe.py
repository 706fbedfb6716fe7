"""Every registered domain has each part the README's "Adding a domain" recipe lists; a missing step fails
here with the step to take, not later as an obscure error."""

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.utils.module_loading import import_string

from cutover.modes.registry import DomainSpec, domain_names, domain_spec
from cutover.store.fields import LegacyFieldsColumn, LegacyShapeColumns
from cutover.store.ports import StoreRepository, unclassified_methods
from cutover.store.records import LegacyShape

CONTRACT_TESTS = Path(__file__).resolve().parents[1] / "contract"


def _app_of(spec: DomainSpec) -> str:
    return spec.port.split(".")[0]


@pytest.mark.parametrize("name", domain_names())
def test_each_step_of_the_recipe_is_done(name):
    spec = domain_spec(name)
    assert _app_of(spec) in settings.INSTALLED_APPS, f"step 1: add {_app_of(spec)!r} to INSTALLED_APPS"
    port = spec.load_port()
    assert issubclass(port, StoreRepository), f"step 4: {spec.port} must subclass cutover.store.ports.StoreRepository"
    assert port.MAPS, f"step 4: {spec.port} names no RecordMaps (MAPS)"
    assert not unclassified_methods(port), f"step 4: sort {sorted(unclassified_methods(port))} into WRITE/READ_METHODS"
    for record_map in port.MAPS:
        assert issubclass(record_map.record_type, LegacyShape), (
            f"step 2: {record_map.record_type.__name__} must inherit cutover.store.records.LegacyShape"
        )
        assert record_map.model, f"step 4: the RecordMap of {record_map.collection} names no model"
        model = apps.get_model(record_map.model)  # LookupError: the model or its app is missing
        assert issubclass(model, LegacyShapeColumns | LegacyFieldsColumn), (
            f"step 3: {record_map.model} must inherit cutover.store.fields.LegacyShapeColumns"
        )
        assert admin.site.is_registered(model), f"step 7: register {record_map.model} in {_app_of(spec)}/admin.py"
    assert spec.demo_seeder, f"step 8: {name} has no demo seeder"
    try:
        import_string(spec.demo_seeder)
    except ImportError as error:
        pytest.fail(f"step 8: {name}'s demo_seeder cannot be imported: {error}")
    assert _has_contract_test(name), (
        f'step 9: no test in tests/contract calls repo_of("{name}") or repository_for("{name}")'
    )


def _has_contract_test(name: str) -> bool:
    calls = (f'repo_of("{name}")', f'repository_for("{name}")')
    return any(call in path.read_text() for path in CONTRACT_TESTS.glob("test_*.py") for call in calls)


def test_every_domain_spec_in_an_installed_app_is_registered():
    registered = {id(domain_spec(name)) for name in domain_names()}
    for app in apps.get_app_configs():
        if not any(module.name == "domain" for module in pkgutil.iter_modules([app.path])):
            continue
        module = importlib.import_module(f"{app.name}.domain")
        for attribute, value in vars(module).items():
            if isinstance(value, DomainSpec):
                assert id(value) in registered, (
                    f"step 6: add '{app.name}.domain.{attribute}' to CUTOVER_DOMAINS in escrow_project/settings.py"
                )
