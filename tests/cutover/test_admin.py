import pytest
from django.urls import reverse

from cutover.models import DomainStoreMode, MirrorOutboxEntry, StoreModeChange
from cutover.modes.cache import current_mode
from cutover.modes.store_mode import StoreMode
from cutover.operations.mode_changes import CHANGE_PERMISSION
from tests.cutover.helpers import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def url():
    current_mode("dispute")  # the registry creates the row
    return reverse("admin:cutover_domainstoremode_change", args=["dispute"])


def _post(client, url, **fields):
    data = {"new_mode": "mongo", "reason": "", "shadow_read_percent": 0} | fields
    return client.post(url, data)


def test_admin_changes_the_mode_with_a_reason_and_audits(client, url):
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    response = _post(client, url, new_mode="dual_mongo_primary", reason="backfill verified")
    assert response.status_code == 302
    assert current_mode("dispute") is StoreMode.DUAL_MONGO_PRIMARY
    assert StoreModeChange.objects.get().reason == "backfill verified"
    page = client.get(url).content.decode()
    assert "mongo → dual_mongo_primary: backfill verified" in page


def test_admin_shows_the_refusal_reason(client, url):
    DomainStoreMode.objects.filter(domain="dispute").update(mode="dual")
    MirrorOutboxEntry.objects.create(domain="dispute", record_id="b" * 24, target="mongo", status="dead")
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    response = _post(client, url, new_mode="dual_mongo_primary", reason="roll back")
    assert response.status_code == 200
    assert "Refused: 1 mirror write(s) of dispute to mongo are dead" in response.content.decode()
    assert DomainStoreMode.objects.get(domain="dispute").mode == "dual"


def test_admin_needs_a_reason(client, url):
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    response = _post(client, url, new_mode="dual_mongo_primary")
    assert "needs a reason" in response.content.decode()
    assert current_mode("dispute") is StoreMode.MONGO


def test_staff_without_the_permission_cannot_change(client, url):
    client.force_login(make_user("bob"))
    assert _post(client, url, new_mode="dual_mongo_primary", reason="x").status_code == 403
    assert current_mode("dispute") is StoreMode.MONGO


def test_shadow_percent_is_edited_without_a_mode_change(client, url):
    client.force_login(make_user("alice", CHANGE_PERMISSION))
    _post(client, url, shadow_read_percent=25)
    assert DomainStoreMode.objects.get(domain="dispute").shadow_read_percent == 25
    assert not StoreModeChange.objects.exists()
