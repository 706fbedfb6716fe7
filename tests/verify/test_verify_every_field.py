"""Guarantee 4: verify compares every field of every record type, children included (cutover/backfill/verify.py).

Every registered collection gets records in both stores (the demo data set written in `dual`, plus the
collections the demo leaves empty); then, for one record of each type, each field in turn (and each field of
its first child of each kind) is changed in the Mongo document to another valid value, and verify must report
that record as differing in exactly that field (a child's change is reported under the child list's name).
Equal values in different stored forms (Decimal('10.5') and Decimal('10.50000000')) must stay equal.
"""

import dataclasses
import io
import json
import re
from datetime import datetime, timedelta
from decimal import Decimal
from importlib import import_module
from typing import Any

import pytest
from bson import Decimal128, ObjectId
from django.core.management import call_command
from django.db import connection

from accounts import services as accounts
from cutover.backfill.parity import CollectionParity
from cutover.backfill.source import MongoDocumentSource
from cutover.backfill.verify import verify_collection, verify_domain
from cutover.modes.registry import domain_names, domain_spec
from cutover.store.legacy import new_id, now_ms, to_object_id
from cutover.store.recordmap import RecordMap
from cutover.testing import set_store_mode
from disputes import services as disputes
from escrow_project.mongo import mongo_database
from marketplace.records import RequestTemplateRecord
from tests.factories import put_everywhere

pytestmark = pytest.mark.django_db(transaction=True)

_HEX24 = re.compile(r"^[0-9a-f]{24}$")
_MISSING = object()
# Every enum value the domains know (their records modules' frozensets), and two country codes: candidates for
# a different valid value of a text field that only takes a fixed set.
_WORDS = sorted(
    {
        word
        for app in (
            "accounts",
            "disputes",
            "ledger",
            "marketplace",
            "notifications",
            "payments",
            "trezor",
            "points",
            "reviews",
            "blog",
            "settings_store",
        )
        for value in vars(import_module(f"{app}.records")).values()
        if isinstance(value, frozenset)
        for word in value
        if isinstance(word, str)
    }
    | {"DE", "FR"}
)
# A changed id is a missing and an extra record, not a differing one. The legacy shape (the `_id`'s type, the
# unknown keys, the blank keys) is not a mapped field: test_legacy_shape_differences_are_reported alters it on
# its own (the blank keys change with the field that was blank).
NOT_ALTERED_ON_PURPOSE = {"id", "legacy_id", "legacy_fields", "legacy_absent"}


@pytest.fixture
def every_collection_in_both_stores(transactional_db):
    for domain in domain_names():
        set_store_mode(domain, "dual")
    call_command("seed_demo", size=2, seed=16, stdout=io.StringIO())
    db = mongo_database()
    user_id = str(db.users.find_one()["_id"])
    accounts.verification_start(email="v@example.com", purpose="email_verify", code="123456", user_id=user_id)
    accounts.telegram_session_start(telegram_user_id=77, init_data="d", auth_date=now_ms(), user_id=user_id)
    put_everywhere(
        "marketplace",
        RequestTemplateRecord(
            id=new_id(),
            owner_id=user_id,
            category_id=str(db.categories.find_one()["_id"]),
            title="Template",
            fields=[{"key": "size", "label": "Size", "type": "text", "required": True}],
            created_at=now_ms(),
            updated_at=now_ms(),
        ),
    )
    dispute = db.disputes.find_one()
    disputes.dispute_add_evidence(dispute_id=str(dispute["_id"]), url="https://e.example/1", uploaded_by_id=user_id)
    empty = [
        f"{domain}/{collection}"
        for domain in domain_names()
        for collection in domain_spec(domain).collections
        if db[collection].count_documents({}) == 0
    ]
    assert not empty, f"no records to alter in {empty}"
    for domain in domain_names():
        assert verify_domain(domain).passed, domain
    return db


def _alternatives(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1]  # a bounded field (a rating of 5) has only the one below
    if isinstance(value, Decimal):
        return [value + 1, value + Decimal("0.00000001")]
    if isinstance(value, datetime):
        return [value + timedelta(milliseconds=1), value + timedelta(days=1)]
    if isinstance(value, str):
        numeric = [str(int(value) + 1)] if value.isdigit() else []
        return (
            ([str(ObjectId())] if _HEX24.match(value) else [])
            + numeric
            + [value + "x", "x" + value, *_WORDS]
            + _json_alternatives(value)
        )
    if isinstance(value, dict):
        return [value | {"altered": True}]
    if isinstance(value, list):
        return [value[:-1], value + value[:1]] if value else [[{"key": "k", "label": "K", "type": "t"}]]
    if isinstance(value, tuple):  # arrays of ids or texts (chat participants, readBy, attachments)
        return [value[:-1], (*value, str(ObjectId())), (*value, "https://files.example/x")]
    if value is None:
        return [str(ObjectId()), now_ms(), Decimal(1), 1, True, "x", *_WORDS]
    raise AssertionError(f"no alternative for {value!r}")


def _json_alternatives(text: str) -> list[str]:
    """Other JSON texts, for a field that holds exact JSON text (a config's value, a level's perks)."""
    try:
        return [json.dumps([json.loads(text)]), json.dumps([])]
    except ValueError:
        return []


def _altered(record_map: RecordMap, record: Any, name: str) -> Any | None:
    """`record` with field `name` changed to another value the mapping stores and reads back as it is."""
    for candidate in _alternatives(getattr(record, name)):
        changed = dataclasses.replace(record, **{name: candidate})
        try:
            read_back = record_map.from_document(record_map.to_document(changed))
        except Exception:  # not a valid value of this field
            continue
        if read_back == changed and getattr(read_back, name) != getattr(record, name):
            return changed
    return None


def _altered_together(record_map: RecordMap, record: Any, name: str) -> Any | None:
    """For a field of a Composite (several record fields in one legacy shape) that cannot change alone: change it
    with the other members of its composite (e.g. a destination's seller kind with the reference it names)."""
    members = next((c.names for c in record_map.composites if name in c.names), ())
    others = [member for member in members if member != name]
    for candidate in _alternatives(getattr(record, name)):
        base = dataclasses.replace(record, **{name: candidate}, **dict.fromkeys(others))
        tries = [base] + [
            dataclasses.replace(base, **{member: value}) for member in others for value in _alternatives(None)
        ]
        for changed in tries:
            try:
                read_back = record_map.from_document(record_map.to_document(changed))
            except Exception:
                continue
            if read_back == changed and getattr(read_back, name) != getattr(record, name):
                return changed
    return None


def _differing(before: Any, after: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(before) if getattr(before, f.name) != getattr(after, f.name)]


def _richest(record_map: RecordMap, docs: list[dict]) -> Any:
    """The record with the most values set and the most children: the most fields to alter."""

    def score(record) -> int:
        values = [getattr(record, f.name) for f in dataclasses.fields(record)]
        return sum(v is not None for v in values) + sum(len(getattr(record, c.name)) for c in record_map.children)

    return max((record_map.from_document(doc) for doc in docs), key=score)


def _alterations(record_map: RecordMap, record: Any) -> tuple[list[tuple[str, str, Any]], list[str]]:
    """(what changed, the fields verify must name, the altered record) for each field; and the fields left out.
    A field is changed alone wherever the mapping can store that; a composite's members change together."""
    children = {child.name: child for child in record_map.children}
    done, left_out = [], []
    for field in dataclasses.fields(record):
        name = field.name
        if name in NOT_ALTERED_ON_PURPOSE:
            continue
        if name not in children:
            altered = _altered(record_map, record, name) or _altered_together(record_map, record, name)
            if altered is None:
                left_out.append(name)
            else:
                done.append((name, _differing(record, altered), altered))
            continue
        items = getattr(record, name)
        if not items:
            left_out.append(name)
            continue
        done.append((f"{name}: one item fewer", [name], dataclasses.replace(record, **{name: items[:-1]})))
        for child_field in dataclasses.fields(items[0]):
            if child_field.name in NOT_ALTERED_ON_PURPOSE:
                continue
            item = _altered(children[name].map, items[0], child_field.name)
            if item is None:
                left_out.append(f"{name}[0].{child_field.name}")
            else:
                changed = dataclasses.replace(record, **{name: (item, *items[1:])})
                done.append((f"{name}[0].{child_field.name}", [name], changed))
    return done, left_out


def _write_mongo(db, record_map: RecordMap, before: Any, after: Any) -> None:
    """Change exactly the legacy keys whose stored value differs between the two records."""
    old, new = record_map.to_document(before), record_map.to_document(after)
    sets = {key: value for key, value in new.items() if old.get(key, _MISSING) != value}
    unsets = {key: "" for key in old if key not in new}
    assert sets or unsets, "the alteration changed nothing in the document"
    update = ({"$set": sets} if sets else {}) | ({"$unset": unsets} if unsets else {})
    db[record_map.collection].update_one({"_id": to_object_id(before.id)}, update)


def _verify(domain: str, collection: str, db) -> CollectionParity:
    return verify_collection(domain_spec(domain), collection, MongoDocumentSource(db), 1000)


def _collections() -> list[tuple[str, str]]:
    return [(domain, collection) for domain in domain_names() for collection in domain_spec(domain).collections]


# Every registered collection, from the registry: a new domain is covered without a list to extend.
@pytest.mark.parametrize(("domain", "collection"), _collections(), ids=lambda value: value)
def test_verify_reports_exactly_the_field_that_differs(every_collection_in_both_stores, domain, collection):
    db = every_collection_in_both_stores
    record_map = domain_spec(domain).record_map(collection)
    record = _richest(record_map, list(db[collection].find()))
    original = db[collection].find_one({"_id": to_object_id(record.id)})
    alterations, left_out = _alterations(record_map, record)
    assert not left_out, f"{collection}: found no other valid value for {left_out}"

    for what, reported, altered in alterations:
        _write_mongo(db, record_map, record, altered)
        parity = _verify(domain, collection, db)
        assert (parity.differing, parity.missing_in_postgres, parity.missing_in_mongo) == (
            {record.id: reported},
            [],
            [],
        ), f"{collection}: altered {what}"
        assert not parity.passed
        db[collection].replace_one({"_id": original["_id"]}, original)
    assert _verify(domain, collection, db).passed


def test_equal_amounts_in_different_stored_forms_are_equal(every_collection_in_both_stores):
    db = every_collection_in_both_stores
    payment = db.payments.find_one()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE payments SET amount = %s WHERE id = %s RETURNING amount::text", ["10.5", str(payment["_id"])]
        )
        assert cursor.fetchone()[0] == "10.500000000000000000"  # the column's scale
    db.payments.update_one({"_id": payment["_id"]}, {"$set": {"amount": Decimal128("10.5")}})
    assert _verify("payment", "payments", db).passed

    db.payments.update_one({"_id": payment["_id"]}, {"$set": {"amount": Decimal128("10.50000001")}})
    assert _verify("payment", "payments", db).differing == {str(payment["_id"]): ["amount"]}


def test_legacy_shape_differences_are_reported(every_collection_in_both_stores):
    """An unknown key changed in Mongo alone is a difference in `legacy_fields`: verify sees what no mapping owns."""
    db = every_collection_in_both_stores
    payment = db.payments.find_one()
    db.payments.update_one({"_id": payment["_id"]}, {"$set": {"adminNote": "only in Mongo"}})
    assert _verify("payment", "payments", db).differing == {str(payment["_id"]): ["legacy_fields"]}
