"""No secret of a stored legacy document is shown in admin, and no filter may look inside stored data."""

import html

import pytest
from django.urls import reverse

from cutover.models import BackfillReject, ShadowMismatch, VerifyResult
from cutover.modes.registry import domains_in_dependency_order
from cutover.store.masking import MASK, is_secret_key, masked
from tests.backfill.conftest import legacy  # noqa: F401  (the legacy-documents fixture)
from tests.cutover.helpers import make_user

HASH = "$2b$12$" + "S" * 53
CODE = "c0de" * 16


def test_the_contract_fields_that_are_secret_are_exactly_the_hashes():
    """Derived once (cutover.store.masking): every legacy key and record field name of every domain, checked."""
    secret = set()
    for spec in domains_in_dependency_order():
        for collection in spec.collections:
            record_map = spec.record_map(collection)
            keys = [f.key for f in record_map.fields] + [k for c in record_map.composites for k in c.keys]
            names = [f.name for f in record_map.fields] + [n for c in record_map.composites for n in c.names]
            secret |= {key for key in keys if is_secret_key(key, keys)}
            secret |= {name for name in names if is_secret_key(name, names)}
    assert secret == {
        "passwordHash",
        "password_hash",
        "codeHash",
        "code_hash",
        "initDataHash",
        "init_data_hash",
    }


@pytest.mark.parametrize("key", ["resetToken", "apiKey", "twoFactorSecret", "mnemonic", "pin", "otp_code"])
def test_unknown_legacy_keys_with_secrets_in_their_name_are_masked(key):
    assert masked({"a": [{key: "s3cret", "email": "x@y.z"}]}) == {"a": [{key: MASK, "email": "x@y.z"}]}


@pytest.mark.parametrize("key", ["txHash", "xpub", "spinner", "description", "shipping"])
def test_ordinary_keys_are_shown(key):
    assert masked({key: "v"}) == {key: "v"}


@pytest.fixture
def viewer(client, db):
    perms = [f"cutover.view_{model}" for model in ("backfillreject", "shadowmismatch", "verifyresult")]
    client.force_login(make_user("viewer", *perms))
    return client


def _reject() -> BackfillReject:
    return BackfillReject.objects.create(
        domain="auth",
        collection="users",
        record_id="a" * 24,
        kind="bad_value",
        reason="bad_value role",
        document={
            "_id": {"$oid": "a" * 24},
            "email": "shown@example.com",
            "passwordHash": HASH,
            "x": {"codeHash": CODE},
        },
    )


def test_a_reject_shows_its_document_with_secrets_masked(viewer):
    reject = _reject()
    page = viewer.get(reverse("admin:cutover_backfillreject_change", args=[reject.pk])).content.decode()
    assert "shown@example.com" in page and "secrets masked" in page
    assert HASH not in page and CODE not in page and "S" * 53 not in page


def test_a_shadow_mismatch_and_a_verify_sample_mask_secret_values(viewer):
    mismatch = ShadowMismatch.objects.create(
        domain="auth",
        method="get_user",
        kind="mismatch",
        primary_store="postgres",
        differences={"password_hash": [HASH, HASH + "x"], "display_name": ["A", "B"]},
    )
    result = VerifyResult.objects.create(
        domain="auth",
        started_at=mismatch.created_at,
        passed=False,
        samples={"users": {"differing": {"a" * 24: ["passwordHash"]}, "detail": {"passwordHash": HASH}}},
    )
    for url in (
        reverse("admin:cutover_shadowmismatch_change", args=[mismatch.pk]),
        reverse("admin:cutover_verifyresult_change", args=[result.pk]),
    ):
        page = viewer.get(url).content.decode()
        assert HASH not in page and "S" * 53 not in page, url
    page = viewer.get(reverse("admin:cutover_shadowmismatch_change", args=[mismatch.pk])).content.decode()
    assert '"display_name"' in html.unescape(page)  # what is not secret is still shown


@pytest.mark.parametrize(
    ("model", "lookup"),
    [
        ("backfillreject", "document__passwordHash__startswith"),
        ("backfillreject", "document__x__codeHash"),
        ("backfillreject", "document__icontains"),
        ("backfillreject", "document"),
        ("shadowmismatch", "differences__password_hash__0__startswith"),
        ("verifyresult", "samples__users__icontains"),
    ],
)
def test_filters_that_look_inside_stored_data_are_refused(viewer, model, lookup):
    _reject()
    response = viewer.get(reverse(f"admin:cutover_{model}_changelist"), {lookup: "$2b$12$S"})
    assert response.status_code == 400


def test_the_ordinary_filters_still_work(viewer):
    _reject()
    response = viewer.get(reverse("admin:cutover_backfillreject_changelist"), {"collection": "users", "status": "open"})
    assert response.status_code == 200 and "a" * 24 in response.content.decode()


def test_a_secret_that_does_not_read_is_masked_in_the_reject_reason(legacy):  # noqa: F811 - the fixture
    from cutover.backfill.service import backfill_domain

    user = legacy.user()
    legacy.db.users.update_one({"_id": user["_id"]}, {"$set": {"passwordHash": ["$2b$12$leaked"]}})
    backfill_domain("auth")
    (reject,) = BackfillReject.objects.filter(record_id=str(user["_id"]))
    assert "passwordHash" in reject.reason and MASK in reject.reason
    assert "leaked" not in reject.reason
