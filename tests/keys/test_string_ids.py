"""String `_id`s in odd case or with spaces: the record id is normalized (lowercase, stripped) but the
document keeps the legacy string; every path that looks the document up by record id must still find it."""

import pytest
from bson import Decimal128, ObjectId

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.testing import set_store_mode
from payments.services import payment_update
from tests.backfill.conftest import postgres_record


def _backfill(*domains):
    return {name: backfill_domain(name) for name in ("auth", "marketplace", *domains)}


def _string_id_payment(legacy, form):
    payment = legacy.payment()
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    legacy_id = form(str(payment["_id"]))
    legacy.db.payments.insert_one(payment | {"_id": legacy_id})
    return str(payment["_id"]), legacy_id


FORMS = {
    "upper": str.upper,
    "mixed": lambda hexid: hexid[:12] + hexid[12:].upper() if any(c.isalpha() for c in hexid[12:]) else hexid.upper(),
    "spaces": lambda hexid: f" {hexid} ",
}


def test_backfill_keeps_the_exact_legacy_string(legacy):
    record_id, legacy_id = _string_id_payment(legacy, FORMS["upper"])
    _backfill("payment")
    row = postgres_record("payment", "payments", record_id)
    assert row is not None and row.legacy_id == legacy_id
    assert verify_domain("payment").passed


@pytest.mark.parametrize("form", ["mixed", "spaces"])
def test_a_string_id_no_lookup_by_id_can_find_is_a_bad_id_reject(legacy, form):
    """Mixed case or padded: no lookup by the record id reaches that document, so it is refused loudly
    (rename it) instead of becoming a row whose document the app then cannot find."""
    from cutover.models import BackfillReject

    record_id, legacy_id = _string_id_payment(legacy, FORMS[form])
    _backfill("payment")
    assert postgres_record("payment", "payments", record_id) is None
    [reject] = BackfillReject.objects.filter(collection="payments", status="open")
    assert reject.kind == "bad_id" and "24 hex characters in one case" in reject.reason
    assert not verify_domain("payment").passed


def _mixed(hexid: str) -> str:
    """A mixed-case form that is neither lower nor upper."""
    letters = [i for i, c in enumerate(hexid) if c.isalpha()]
    assert len(letters) >= 2
    chars = list(hexid)
    chars[letters[0]] = chars[letters[0]].upper()
    return "".join(chars)


def _mixed_payment(legacy):
    while True:
        payment = legacy.payment()
        if sum(c.isalpha() for c in str(payment["_id"])) >= 2:
            break
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    legacy_id = _mixed(str(payment["_id"]))
    legacy.db.payments.insert_one(payment | {"_id": legacy_id})
    return str(payment["_id"]), legacy_id


@pytest.mark.parametrize("form", ["upper"])
def test_dual_update_of_odd_string_id_writes_back_to_the_same_document(legacy, form):
    record_id, legacy_id = _string_id_payment(legacy, FORMS[form])
    _backfill("payment")
    set_store_mode("payment", "dual")
    payment_update(payment_id=record_id, confirmations=11)
    docs = list(legacy.db.payments.find({"_id": {"$in": [legacy_id, record_id, ObjectId(record_id)]}}))
    assert [d["_id"] for d in docs] == [legacy_id]
    assert docs[0]["confirmations"] == 11
    assert verify_domain("payment").passed


def test_case_variants_of_one_string_id_are_a_clash_not_a_merge(legacy):
    """ "abc…" and "ABC…" are two documents; both normalize to one record id."""
    payment = legacy.payment(amount=Decimal128("100"))
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    lower = str(payment["_id"])
    legacy.db.payments.insert_one(payment | {"_id": lower})
    legacy.db.payments.insert_one(payment | {"_id": lower.upper(), "amount": Decimal128("999")})
    _backfill("payment")
    row = postgres_record("payment", "payments", lower)
    assert row is not None
    from cutover.models import BackfillReject

    clashes = list(BackfillReject.objects.filter(status="open", kind="unique_clash"))
    assert len(clashes) == 1


def test_verify_sees_a_case_variant_clash(legacy):
    payment = legacy.payment(amount=Decimal128("100"))
    legacy.db.payments.delete_one({"_id": payment["_id"]})
    lower = str(payment["_id"])
    legacy.db.payments.insert_one(payment | {"_id": lower})
    legacy.db.payments.insert_one(payment | {"_id": lower.upper(), "amount": Decimal128("999")})
    _backfill("payment")
    assert not verify_domain("payment").passed
