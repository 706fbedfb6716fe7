"""Every port method is classified, and every backend implements every method."""

import inspect
import types
import typing

import pytest

from cutover.modes.registry import domain_names, domain_spec, domains_in_dependency_order
from cutover.store.ports import STORE_METHODS, unclassified_methods

DOMAINS = domain_names()


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_port_method_is_read_write_or_sync(domain):
    port = domain_spec(domain).load_port()
    assert unclassified_methods(port) == set()
    assert not port.WRITE_METHODS & port.READ_METHODS
    for name in port.WRITE_METHODS | port.READ_METHODS | STORE_METHODS:
        assert callable(getattr(port, name, None)), f"{port.__name__} declares {name} but has no such method"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("backend", ["mongo_repository_class", "postgres_repository_class"])
def test_backends_implement_the_whole_port(domain, backend):
    spec = domain_spec(domain)
    cls = getattr(spec, backend)()
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


@pytest.mark.parametrize("domain", DOMAINS)
def test_write_methods_keep_the_one_return_contract(domain):
    """A write returns the record(s) it changed, or None / [] for "nothing changed": the dual wrapper
    mirrors exactly what it returns, so any other return type is a bug (issue 8, item 9)."""
    port = domain_spec(domain).load_port()
    records = {record_map.record_type for record_map in port.MAPS}
    for name in port.WRITE_METHODS:
        returned = typing.get_type_hints(getattr(port, name)).get("return")
        union = typing.get_origin(returned) in (typing.Union, types.UnionType)
        for part in typing.get_args(returned) if union else (returned,):
            inner = typing.get_args(part)[0] if typing.get_origin(part) is list else part
            kinds = typing.get_args(inner) if typing.get_origin(inner) in (typing.Union, types.UnionType) else (inner,)
            for kind in kinds:  # a list may hold records of several types (a chat message and its chat)
                assert kind is type(None) or kind in records, f"{port.__name__}.{name} returns {returned}"


def test_the_dual_wrapper_mirrors_nothing_for_a_write_that_changed_nothing():
    from cutover.mirror.dual import DualRepository
    from disputes.repositories.base import DisputeRepository

    primary = domain_spec("dispute").build_postgres_repository()
    wrapper = DualRepository(
        domain="dispute", port=DisputeRepository, primary=primary, secondary_factory=list, live_repository=list
    )
    assert wrapper._written(None, "m") == [] and wrapper._written([], "m") == []
    with pytest.raises(TypeError, match="must return the record"):
        wrapper._written(3, "m")
