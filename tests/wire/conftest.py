import pytest

from escrow_project.mongo import mongo_database
from tests.backfill.conftest import LegacyData
from tests.wire.wire_store import WireStore


@pytest.fixture
def legacy(transactional_db):
    """The legacy documents, in the mongomock store the wire server answers from."""
    return LegacyData(mongo_database())


@pytest.fixture
def wire():
    """A MockupDB server on 127.0.0.1 (an automatic port) answering from the legacy store; stopped after."""
    store = WireStore(mongo_database()).start()
    try:
        yield store
    finally:
        store.stop()
    assert store.errors == [], f"the wire store's script broke: {store.errors}"
