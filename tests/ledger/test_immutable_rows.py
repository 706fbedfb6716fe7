"""The ledger is append-only for the app: the runtime role (the app's connection, `default`) may only
INSERT and SELECT; the database refuses every other way to change or remove rows, or to lift the guard.
The owner role (`owner`, which runs migrations) is refused UPDATE and DELETE by the trigger too; it alone
may TRUNCATE (to empty a test database), and no session setting opens that door to anyone else."""

from decimal import Decimal

import pytest
from django.db import Error, connection, connections, transaction

from cutover.store.legacy import new_id, now_ms
from escrow_project.db_roles import APPEND_ONLY_TABLES, OWNER_ALIAS, runtime_role_name, runtime_role_problems
from ledger.models import LedgerEntry
from tests.factories import a_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", OWNER_ALIAS])
IMMUTABLE = "funds_ledger_entries rows are immutable"
DENIED = "permission denied|must be owner"
FUNCTION = "funds_ledger_entries_immutable"

# Every rewrite a runtime session could try, each refused by the database for that role.
RUNTIME_REWRITES = {
    "update": "UPDATE funds_ledger_entries SET amount = 6",
    "delete": "DELETE FROM funds_ledger_entries",
    "truncate": "TRUNCATE funds_ledger_entries",
    "truncate after the old setting": "SET escrow.allow_ledger_truncate = 'on'; TRUNCATE funds_ledger_entries",
    "disable trigger": "ALTER TABLE funds_ledger_entries DISABLE TRIGGER funds_ledger_entries_immutable_rows",
    "disable all triggers": "ALTER TABLE funds_ledger_entries DISABLE TRIGGER ALL",
    "drop trigger": "DROP TRIGGER funds_ledger_entries_no_truncate ON funds_ledger_entries",
    "replace the function": f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RETURN NULL; END $$",
    "drop the function": f"DROP FUNCTION {FUNCTION}() CASCADE",
    "take ownership": "ALTER TABLE funds_ledger_entries OWNER TO CURRENT_USER",
    "a trigger of its own": "CREATE FUNCTION public.skip_guard() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RETURN NULL; END $$",
    "replica mode": "SET session_replication_role = replica",
}


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


def _refused(statement, match=IMMUTABLE, using="default"):
    with pytest.raises(Error, match=match), transaction.atomic(using=using):
        statement()


def test_the_app_connects_as_a_runtime_role_with_nothing_more():
    role = runtime_role_name()
    assert role and role == connection.get_connection_params()["user"]
    assert runtime_role_problems(role=role) == []
    assert APPEND_ONLY_TABLES == ("funds_ledger_entries",)


def test_insert_works(entry):
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("rewrite", RUNTIME_REWRITES, ids=str)
def test_every_rewrite_fails_for_the_runtime_role(entry, rewrite):
    with connection.cursor() as cursor:
        _refused(lambda: cursor.execute(RUNTIME_REWRITES[rewrite]), match=DENIED)
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("5")
    with connections[OWNER_ALIAS].cursor() as cursor:  # the guard is still in place, as migrated
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'funds_ledger_entries'::regclass "
            "AND NOT tgisinternal ORDER BY tgname"
        )
        assert cursor.fetchall() == [
            ("funds_ledger_entries_immutable_rows", "O"),
            ("funds_ledger_entries_no_truncate", "O"),
        ]
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [FUNCTION])
        assert "RAISE EXCEPTION" in cursor.fetchone()[0]


def test_orm_save_and_queryset_writes_fail_for_the_app(entry):
    entry.amount = Decimal("6")
    _refused(entry.save, match=DENIED)
    _refused(lambda: LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("7")), match=DENIED)
    _refused(lambda: LedgerEntry.objects.filter(pk=entry.pk).delete(), match=DENIED)
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("5")


def test_the_trigger_refuses_update_and_delete_even_to_the_owner(entry):
    with connections[OWNER_ALIAS].cursor() as cursor:
        sql = [
            "UPDATE funds_ledger_entries SET amount = 6 WHERE id = %s",
            "DELETE FROM funds_ledger_entries WHERE id = %s",
        ]
        for statement in sql:
            _refused(lambda statement=statement: cursor.execute(statement, [entry.pk]), using=OWNER_ALIAS)
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("5")


def test_the_old_setting_no_longer_lifts_the_guard_for_a_role_granted_truncate(entry):
    """Even a role given TRUNCATE by mistake is stopped by the trigger: only the owner may empty the table."""
    role = runtime_role_name()
    with connections[OWNER_ALIAS].cursor() as cursor:
        cursor.execute(f'GRANT TRUNCATE ON funds_ledger_entries TO "{role}"')
    try:
        with connection.cursor() as cursor:
            _refused(
                lambda: cursor.execute(
                    "SET LOCAL escrow.allow_ledger_truncate = 'on'; TRUNCATE funds_ledger_entries CASCADE"
                )
            )
    finally:
        with connections[OWNER_ALIAS].cursor() as cursor:
            cursor.execute(f'REVOKE TRUNCATE ON funds_ledger_entries FROM "{role}"')
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_the_owner_may_empty_the_table(entry):
    with connections[OWNER_ALIAS].cursor() as cursor:
        cursor.execute("TRUNCATE funds_ledger_entries CASCADE")
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("amount", ["0", "0.000", "-5", "NaN", "Infinity"])
def test_an_append_of_no_positive_finite_amount_is_refused_and_writes_nothing(db, amount):
    from cutover.modes.store_mode import StoreMode
    from cutover.testing import set_store_mode
    from ledger.services import InvalidLedgerInput, ledger_append

    set_store_mode("ledger", StoreMode.DUAL)
    user = a_user()
    with pytest.raises(InvalidLedgerInput, match="always positive"):
        ledger_append(
            user_id=user.id, entry_type="deposit", direction="credit", amount=amount, currency="USDT", reference="r"
        )
    assert not LedgerEntry.objects.filter(user_id=user.id).exists()
