"""Every port method is classified, and every backend implements every method."""

import inspect

import pytest

from cutover.ports import STORE_METHODS, unclassified_methods
from cutover.registry import domain_names, domain_spec, domains_in_dependency_order

DOMAINS = domain_names()


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_port_method_is_read_write_or_sync(domain):
    port = domain_spec(domain).load_port()
    assert unclassified_methods(port) == set()
    assert not port.WRITE_METHODS & port.READ_METHODS
    for name in port.WRITE_METHODS | port.READ_METHODS | STORE_METHODS:
        assert callable(getattr(port, name, None)), f"{port.__name__} declares {name} but has no such method"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("backend", ["mongo_repository", "postgres_repository"])
def test_backends_implement_the_whole_port(domain, backend):
    from django.utils.module_loading import import_string

    spec = domain_spec(domain)
    cls = import_string(getattr(spec, backend))
    assert issubclass(cls, spec.load_port())
    assert not inspect.isabstract(cls), f"{cls.__name__} misses {sorted(cls.__abstractmethods__)}"
    assert cls.store in ("mongo", "postgres")


def test_an_unclassified_method_is_caught():
    from disputes.repositories.base import DisputeRepository

    class Sloppy(DisputeRepository):
        def reopen(self, dispute_id):  # neither read nor write
            raise NotImplementedError

    assert unclassified_methods(Sloppy) == {"reopen"}


def test_dependency_order_puts_parents_first(settings):
    names = [spec.name for spec in domains_in_dependency_order()]
    assert sorted(names) == sorted(DOMAINS)
    for spec in domains_in_dependency_order():
        for parent in spec.depends_on:
            if parent in names:
                assert names.index(parent) < names.index(spec.name)
