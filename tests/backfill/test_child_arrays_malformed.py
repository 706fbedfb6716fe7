"""Embedded arrays kept as child tables (dispute evidence and timeline, trezor derivedAddresses): missing, null,
"" or [] read as no elements (documented in docs/legacy-collections.md); any other value that is not an array
(0, false, an object, a string) is a reject naming the key, never read as empty; an element that is not a
document is a reject naming its position. Elements are kept by position, so a repeated element `_id` (a
Mongoose subdocument id, kept in the element's legacy fields) overwrites nothing."""

import pytest
from bson import ObjectId

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.models import BackfillReject
from cutover.store.legacy import LegacyValueError
from cutover.store.recordmap import _read_children as read_children
from disputes.repositories.mapping import DISPUTE
from tests.backfill.conftest import postgres_record
from tests.elements.test_embedded_arrays import _backfill, _dispute
from trezor.repositories.mapping import TREZOR_ACCOUNT


@pytest.mark.parametrize("value", [0, False, {}, {"url": "x"}, "https://one", 1.5], ids=repr)
@pytest.mark.parametrize(
    "record_map, key", [(DISPUTE, "evidence"), (DISPUTE, "timeline"), (TREZOR_ACCOUNT, "derivedAddresses")]
)
def test_a_child_array_that_is_not_an_array_is_refused_naming_the_key(record_map, key, value):
    child = next(child for child in record_map.children if child.key == key)
    with pytest.raises(LegacyValueError) as refused:
        read_children(child, value, False)
    assert refused.value.field == key and "an array" in str(refused.value)


@pytest.mark.parametrize("value", [0, False, {}], ids=repr)
def test_a_dispute_whose_evidence_is_not_an_array_is_rejected_not_migrated_empty(legacy, value):
    dispute, _ = _dispute(legacy, value)
    _backfill()
    reject = BackfillReject.objects.get(collection="disputes", record_id=str(dispute["_id"]))
    assert reject.kind == "bad_value" and reject.reason.startswith("evidence: expected an array")
    assert not verify_domain("dispute").passed


def test_repeated_element_ids_in_a_child_array_are_kept_by_position(legacy):
    same = ObjectId()
    evidence = [{"_id": same, "url": f"https://x/{n}", "at": legacy.at} for n in range(2)]
    dispute, _ = _dispute(legacy, evidence)
    _backfill()
    record = postgres_record("dispute", "disputes", str(dispute["_id"]))
    assert [e.url for e in record.evidence] == ["https://x/0", "https://x/1"]
    assert not BackfillReject.objects.exists()
    backfill_domain("dispute")
    assert verify_domain("dispute").passed
