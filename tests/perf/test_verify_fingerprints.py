"""Verify compares a range by one digest of its rows computed in Postgres against the digest of its
documents' records; only a range whose digests differ is read back and compared record by record
(issue 15: "verify hashing rows inside Postgres per range")."""

from datetime import UTC, datetime
from decimal import Decimal
from unittest import mock

from bson import Decimal128

from cutover.backfill import verify
from cutover.backfill.fingerprint import RangeFingerprint
from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.modes.registry import domain_spec
from payments.models import Payment


def _parents():
    backfill_domain("auth")
    backfill_domain("marketplace")


def _ranges_read_back(action):
    calls = []
    original = verify._RangeChecker.postgres_records

    def counting(self, low, high, limit=None):
        calls.append((low, high))
        return original(self, low, high, limit)

    with mock.patch.object(verify._RangeChecker, "postgres_records", counting):
        result = action()
    return result, [call for call in calls if call[1] is not None]


def test_equal_ranges_are_settled_by_their_digests_alone(legacy):
    odd = [
        {"amount": Decimal128("10.500000"), "txHash": "ünïcode ✓ | 3:x -"},
        {"amount": Decimal128("1E+3"), "confirmations": 0, "createdAt": datetime(1969, 7, 20, 20, 17, 40, 5000, UTC)},
        {"amount": Decimal128("0.000000000000000001"), "txHash": None, "extra": {"kept": [1, "two"]}},
    ]
    for overrides in odd + [{} for _ in range(3)]:
        legacy.payment(**overrides)
    _parents()
    backfill_domain("payment", batch_size=2)
    result, read_back = _ranges_read_back(lambda: verify_domain("payment", range_size=2))
    assert result.passed and result.counts["payments"]["compared"] == 6
    assert result.counts["payments"]["ranges"] >= 3 and read_back == []


def test_a_differing_row_is_found_and_named_as_before(legacy):
    docs = sorted((legacy.payment() for _ in range(4)), key=lambda doc: doc["_id"])
    _parents()
    backfill_domain("payment", batch_size=2)
    Payment.objects.filter(pk=str(docs[3]["_id"])).update(amount=Decimal("10.500000000000000001"))
    result, read_back = _ranges_read_back(lambda: verify_domain("payment", range_size=2))
    assert not result.passed
    assert result.samples["payments"]["differing"] == {str(docs[3]["_id"]): ["amount"]}
    assert read_back == [(str(docs[1]["_id"]), str(docs[3]["_id"]))]  # only the range that differs


def test_python_and_postgres_write_the_same_digest_for_every_fit_collection(legacy):
    legacy.payment(amount=Decimal128("7.25"), txHash="a|b")
    _parents()
    backfill_domain("payment")
    spec = domain_spec("payment")
    fingerprint = RangeFingerprint(spec.record_map("payments"), spec.postgres_model("payments"))
    assert fingerprint.fit
    records = {r.id: r for r in spec.build_postgres_repository().read_id_range("payments", None, None)}
    assert fingerprint.of_records(records) == fingerprint.of_rows(None, None) != (0, None)


def test_collections_without_a_canonical_form_are_compared_record_by_record():
    spec = domain_spec("trezor")
    fingerprint = RangeFingerprint(spec.record_map("trezoraccounts"), spec.postgres_model("trezoraccounts"))
    assert not fingerprint.fit  # child tables


def test_a_json_payload_column_has_a_canonical_form_with_its_key_order():
    spec = domain_spec("notification")
    fingerprint = RangeFingerprint(spec.record_map("notifications"), spec.postgres_model("notifications"))
    assert fingerprint.fit  # JSON stored as its text (an OrderedJSONField): the text is the canonical form
