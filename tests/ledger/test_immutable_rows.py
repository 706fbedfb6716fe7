"""The database itself refuses to change or remove ledger rows."""

from decimal import Decimal

import pytest
from django.db import Error, connection, transaction

from cutover.store.legacy import new_id, now_ms
from ledger.models import LedgerEntry
from tests.factories import a_user

pytestmark = pytest.mark.django_db(transaction=True)
IMMUTABLE = "funds_ledger_entries rows are immutable"


@pytest.fixture
def entry() -> LedgerEntry:
    return LedgerEntry.objects.create(
        id=new_id(),
        user_id=a_user().id,
        entry_type="deposit",
        direction="credit",
        amount=Decimal("5"),
        currency="USDT",
        balance_after=Decimal("5"),
        reference=f"ref-{new_id()}",
        created_at=now_ms(),
    )


def _refused(statement):
    with pytest.raises(Error, match=IMMUTABLE), transaction.atomic():
        statement()


def test_insert_works(entry):
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_raw_update_and_delete_fail(entry):
    with connection.cursor() as cursor:
        _refused(lambda: cursor.execute("UPDATE funds_ledger_entries SET amount = 6 WHERE id = %s", [entry.pk]))
        _refused(lambda: cursor.execute("DELETE FROM funds_ledger_entries WHERE id = %s", [entry.pk]))


def test_orm_save_of_an_existing_row_fails(entry):
    entry.amount = Decimal("6")
    _refused(entry.save)


def test_queryset_update_and_delete_fail(entry):
    _refused(lambda: LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("7")))
    _refused(lambda: LedgerEntry.objects.filter(pk=entry.pk).delete())
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("5")


def test_truncate_fails_unless_the_session_allows_it_on_purpose(entry):
    with connection.cursor() as cursor:

        def truncate():
            cursor.execute("SET LOCAL escrow.allow_ledger_truncate = 'off'")
            cursor.execute("TRUNCATE funds_ledger_entries")

        _refused(truncate)
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
