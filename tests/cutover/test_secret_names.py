"""The masking list matches by pattern (cutover.store.masking), in every spelling, wherever a stored
document's values are shown: rejects, shadow mismatches, verify results, error messages and log lines."""

import dataclasses
import logging

import pytest
from django.urls import reverse

from cutover.mirror.shadow import shadow_compare
from cutover.models import BackfillReject, ShadowMismatch, VerifyResult
from cutover.store.legacy import LegacyValueError
from cutover.store.masking import MASK, is_secret_key, masked
from tests.cutover.helpers import make_user

# The names of the finding, then other spellings of the same patterns.
FINDING = [
    "passphrase",
    "privKey",
    "xprv",
    "accessKey",
    "jwt",
    "sessionId",
    "resetCode",
    "initData",
    "seed",
    "wif",
    "cookie",
    "authorization",
]
SPELLINGS = [
    "priv_key",
    "PRIV-KEY",
    "private_key",
    "apiKey",
    "X-Api-Key",
    "session_id",
    "SESSION",
    "reset_code",
    "otp",
    "totpSecret",
    "pin",
    "PIN_CODE",
    "init_data",
    "initDataHash",
    "walletSeed",
    "seed_phrase",
    "refreshToken",
    "Authorization",
    "set-cookie",
    "tprvKey",
    "key",  # alone, with no value beside it: an API token's key
]
# Ordinary names the patterns would catch as substrings; whole words and known phrases keep them shown.
ORDINARY = [
    "pinned",
    "postcode",
    "postal_code",
    "postalCode",
    "zipCode",
    "countryCode",
    "currency_code",
    "shipping",
    "spinner",
    "keyword",
    "monkey",
    "seeded",
    "txHash",
    "xpub",
    "author",
    "authDate",
    "last_key",
    "description",
    "reason",
    "hotpink",
    "decoded",
]


@pytest.mark.parametrize("name", FINDING + SPELLINGS)
def test_secret_names_are_secret(name):
    assert is_secret_key(name)


@pytest.mark.parametrize("name", ORDINARY)
def test_ordinary_names_are_not(name):
    assert not is_secret_key(name)


def test_a_bare_key_beside_a_value_or_label_names_an_entry():
    assert not is_secret_key("key", ["key", "value"]) and not is_secret_key("key", ["key", "label", "type"])
    assert masked({"key": "siteName", "value": "Escrow"}) == {"key": "siteName", "value": "Escrow"}
    assert masked({"key": "stripeSecret", "value": "sk_live"}) == {"key": "stripeSecret", "value": MASK}


def _secret(name: str) -> str:
    return f"S3CR3T-{name}-VALUE"


def _document() -> dict:
    return {"email": "shown@example.com", "wallet": {name: _secret(name) for name in FINDING}}


@pytest.fixture
def viewer(client, db):
    perms = [f"cutover.view_{model}" for model in ("backfillreject", "shadowmismatch", "verifyresult")]
    client.force_login(make_user("viewer", *perms))
    return client


def _assert_masked(page: str) -> None:
    leaked = [name for name in FINDING if _secret(name) in page]
    assert leaked == [] and "shown@example.com" in page


def test_a_reject_masks_every_name(viewer):
    reject = BackfillReject.objects.create(
        domain="auth", collection="users", record_id="a" * 24, kind="bad_value", reason="r", document=_document()
    )
    _assert_masked(viewer.get(reverse("admin:cutover_backfillreject_change", args=[reject.pk])).content.decode())


def test_a_verify_result_masks_every_name(viewer):
    result = VerifyResult.objects.create(
        domain="auth", started_at="2026-01-01T00:00:00Z", passed=False, samples={"users": _document()}
    )
    _assert_masked(viewer.get(reverse("admin:cutover_verifyresult_change", args=[result.pk])).content.decode())


@dataclasses.dataclass(frozen=True)
class Wallet:
    id: str
    email: str
    privKey: str  # noqa: N815 - a legacy-style name, as a record could carry
    xprv: str


def test_a_shadow_mismatch_stores_and_shows_no_secret(viewer):
    """A list result was stored as each record's repr: the secrets sat under an id, where no key names them."""
    primary = [Wallet("a" * 24, "shown@example.com", _secret("privKey"), _secret("xprv"))]
    secondary = [dataclasses.replace(primary[0], xprv=_secret("xprv") + "-other")]
    shadow_compare(
        domain="auth", method="list_wallets", primary_store="postgres", primary_result=primary,
        secondary_call=lambda: secondary,
    )  # fmt: skip
    single = dataclasses.replace(primary[0], privKey="another")
    shadow_compare(
        domain="auth", method="get_wallet", primary_store="postgres", primary_result=primary[0],
        secondary_call=lambda: single,
    )  # fmt: skip
    stored = repr(list(ShadowMismatch.objects.values_list("differences", flat=True)))
    assert _secret("xprv") not in stored and _secret("privKey") not in stored and "another" not in stored
    assert "shown@example.com" in stored and "privKey" in stored  # what differs is still named
    for mismatch in ShadowMismatch.objects.all():
        page = viewer.get(reverse("admin:cutover_shadowmismatch_change", args=[mismatch.pk])).content.decode()
        assert _secret("xprv") not in page and _secret("privKey") not in page


@pytest.mark.parametrize("name", FINDING)
def test_an_error_message_and_its_log_line_mask_the_value(name, caplog):
    error = LegacyValueError(f"wallet.{name}", "text", _secret(name))
    with caplog.at_level(logging.WARNING):
        logging.getLogger("cutover.test").warning("mirror failed: %s", error)
    assert _secret(name) not in str(error) and MASK in str(error)
    assert _secret(name) not in caplog.text and name in caplog.text
