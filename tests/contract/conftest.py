import pytest

from cutover.factory import repository_for
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_names, domain_spec
from cutover.modes.store_mode import MIGRATION_ORDER, StoreMode
from cutover.testing import set_store_mode


@pytest.fixture(params=MIGRATION_ORDER, ids=lambda mode: mode.value)
def mode(request, transactional_db) -> StoreMode:
    """Every domain in the same mode: the contract must hold in each."""
    for name in domain_names():
        set_store_mode(name, request.param)
    return request.param


@pytest.fixture
def repo_of(mode):
    def build(domain: str):
        repository = repository_for(domain)
        repository.mode = mode
        return repository

    return build


def assert_stores_follow_mode(domain: str, mode: StoreMode, records: list) -> None:
    """Each record is in exactly the stores the mode writes, equal to what the caller got."""
    stores = domain_spec(domain).backends()
    for record in records:
        collection = stores["mongo"].collection_of(record)
        assert stores["mongo"].get_snapshot(collection, record.id) == (record if mode.writes_mongo else None)
        assert stores["postgres"].get_snapshot(collection, record.id) == (record if mode.writes_postgres else None)
    if mode.is_dual:
        assert not MirrorOutboxEntry.objects.exclude(status="done").exists()
