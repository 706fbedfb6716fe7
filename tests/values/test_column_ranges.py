"""An integer the column cannot hold is a reject naming the field, never the row's Postgres error (which names
no field, and for a check constraint prints the whole row, secrets included): every integer field's kind
refuses at least what its column refuses."""

import pytest
from bson import Int64
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from accounts.models import User
from cutover.backfill.load import _reason
from cutover.backfill.service import backfill_domain
from cutover.models import BackfillReject
from cutover.modes.registry import domains_in_dependency_order
from cutover.store.legacy import LegacyValueError
from tests.backfill.conftest import postgres_record


def _maps(record_map, model: str, where: str):
    yield where, record_map, model
    for child in record_map.children:
        yield from _maps(child.map, child.model, f"{where}.{child.key}")


INTEGER_FIELDS = [
    pytest.param(record_map, model, f, id=f"{where}.{f.key}")
    for spec in domains_in_dependency_order()
    for collection in spec.collections
    for where, record_map, model in _maps(spec.record_map(collection), spec.record_map(collection).model, collection)
    for f in record_map.fields
    if f.kind.name == "int" and model
]


def test_there_are_integer_fields_to_check():
    assert len(INTEGER_FIELDS) >= 7


@pytest.mark.parametrize(("record_map", "model", "f"), INTEGER_FIELDS)
def test_each_integer_kind_refuses_what_its_column_refuses(record_map, model, f):
    column = apps.get_model(model)._meta.get_field(f.name)
    low, high = connection.ops.integer_field_range(column.get_internal_type())
    low = -(2**63) if low is None else low  # Postgres bigint / a Mongo long
    high = 2**63 - 1 if high is None else high
    assert f.kind.parse(Int64(max(low, 1)), f.key) == max(low, 1)  # a kind may be narrower (a rating of 1-5)
    for beyond in (low - 1, high + 1):
        if -(2**63) <= beyond < 2**63:  # a value BSON can hold at all
            with pytest.raises(LegacyValueError) as error:
                f.kind.parse(Int64(beyond), f.key)
            assert error.value.field == f.key


@pytest.mark.parametrize("level", [Int64(2**31), -1, "2147483648"])
def test_a_level_the_column_cannot_hold_is_a_reject_naming_the_field(legacy, level):
    kept = legacy.user()
    refused = legacy.user(level=level)
    backfill_domain("auth")
    assert postgres_record("auth", "users", kept["_id"]) is not None
    (reason,) = BackfillReject.objects.filter(record_id=str(refused["_id"])).values_list("reason", flat=True)
    assert reason.startswith("level: expected an integer from 0 to 2147483647"), reason
    assert "$2b$" not in reason  # the row's password hash is never in a reason


@pytest.mark.django_db
def test_a_check_constraints_reason_never_carries_the_failing_row():
    with pytest.raises(IntegrityError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO users (id, email, password_hash, role, display_name, is_verified, level, created_at,"
            " updated_at) VALUES ('6b177acbd7ad3b70e7656d3f', 'a@example.com', '$2b$12$secret', 'user', 'A',"
            " true, -1, now(), now())"
        )
    assert "users_level_check" in _reason(error.value)
    assert "$2b$12$secret" not in _reason(error.value)
    assert User.objects.count() == 0
