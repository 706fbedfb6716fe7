import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User as AccountUser
from cutover.models import MirrorOutboxEntry
from cutover.modes.registry import domain_names, domain_spec
from cutover.modes.store_mode import MIGRATION_ORDER
from cutover.testing import set_store_mode
from disputes.models import Dispute
from ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("mode", MIGRATION_ORDER, ids=lambda mode: mode.value)
def test_seed_demo_writes_linked_data_into_the_stores_of_each_mode(mode, capsys):
    for name in domain_names():
        set_store_mode(name, mode)
    call_command("seed_demo", "--size", "6", "--seed", "7")
    out = capsys.readouterr().out
    assert "auth: 6 records into " + mode.value in out
    users_in_mongo = domain_spec("auth").backends()["mongo"].database["users"].count_documents({})
    assert users_in_mongo == (6 if mode.writes_mongo else 0)
    assert AccountUser.objects.count() == (6 if mode.writes_postgres else 0)
    if mode.writes_postgres:
        assert LedgerEntry.objects.count() >= 12 and Dispute.objects.count() == 2
    assert not MirrorOutboxEntry.objects.exclude(status="done").exists()


def test_every_admin_page_renders(client):
    call_command("seed_demo", "--size", "3")
    client.force_login(User.objects.create_superuser("root-admin", "root@example.com", "pw-for-tests-only"))
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        first = model.objects.first()
        if first is not None:
            change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[first.pk])
            assert client.get(change).status_code == 200, change


def test_ledger_admin_is_read_only(client):
    client.force_login(User.objects.create_superuser("root-admin", "root@example.com", "pw-for-tests-only"))
    assert client.get(reverse("admin:ledger_ledgerentry_add")).status_code == 403
