"""Guarantee 5: at most one default address per user, held by the database itself (the partial unique index
addresses_one_default_per_user), not only by the service that clears the other defaults first."""

from datetime import timedelta

import pytest
from bson import ObjectId
from django.db import IntegrityError, connection, transaction

from accounts.models import Address
from cutover.backfill.service import backfill_domain
from cutover.models import BackfillReject
from cutover.store.legacy import new_id, now_ms
from tests.factories import a_user

CONSTRAINT = "addresses_one_default_per_user"


def _address_row(user_id: str, *, is_default: bool) -> Address:
    at = now_ms()
    return Address(
        id=new_id(),
        user_id=user_id,
        address_type="Home",
        line1="1 Main St",
        city="Berlin",
        country="DE",
        is_default=is_default,
        created_at=at,
        updated_at=at,
    )


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_second_default_address():
    user, other = a_user(), a_user()
    _address_row(user.id, is_default=True).save(force_insert=True)
    _address_row(user.id, is_default=False).save(force_insert=True)  # any number of others
    _address_row(other.id, is_default=True).save(force_insert=True)  # one default per user, not in all
    with pytest.raises(IntegrityError, match=CONSTRAINT), transaction.atomic():
        _address_row(user.id, is_default=True).save(force_insert=True)
    with pytest.raises(IntegrityError, match=CONSTRAINT), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE addresses SET is_default = true WHERE user_id = %s", [user.id])
    assert Address.objects.filter(user_id=user.id, is_default=True).count() == 1


def _address_doc(legacy, user: dict, *, default: bool) -> dict:
    at = legacy.at + timedelta(seconds=1)
    return legacy._insert(
        "addresses",
        {
            "_id": ObjectId(),
            "userId": user["_id"],
            "addressType": "Home",
            "line1": "1 Main St",
            "city": "Berlin",
            "country": "DE",
            "isDefault": default,
            "createdAt": at,
            "updatedAt": at,
        },
    )


def test_a_backfill_of_two_default_documents_loads_one_and_rejects_the_other(legacy):
    user, other = legacy.user(), legacy.user()
    first, second = _address_doc(legacy, user, default=True), _address_doc(legacy, user, default=True)
    plain, others_default = _address_doc(legacy, user, default=False), _address_doc(legacy, other, default=True)
    backfill_domain("auth")

    run = backfill_domain("address")

    summary = run.summary["addresses"]
    assert (summary["read"], summary["written"], summary["rejected"]) == (4, 3, 1)
    rejects = list(BackfillReject.objects.filter(collection="addresses").values_list("record_id", "kind", "reason"))
    assert [(record_id, kind) for record_id, kind, _ in rejects] == [(str(second["_id"]), "unique_clash")]
    assert CONSTRAINT in rejects[0][2]
    loaded = set(Address.objects.values_list("id", flat=True))
    assert loaded == {str(first["_id"]), str(plain["_id"]), str(others_default["_id"])}
