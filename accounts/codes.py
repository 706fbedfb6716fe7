"""Verification and reset codes: how they are stored and checked.

A code is six digits. Stored as an unsalted sha256 (the legacy app's way), anyone who reads the hash
tries all 10^6 codes offline and has the code: an account takeover. So a code this project starts is
stored as an HMAC-SHA256 keyed with the SECRET_KEY and bound to its email and purpose
(`hmac-sha256$<hex>`): without the key a stored hash reveals nothing. Checks compare in constant time,
and verification_check (accounts.services) locks a verification after MAX_CODE_ATTEMPTS guesses.

The legacy contract (docs/legacy-collections.md, tempverifications) keeps `codeHash` an opaque text:
documents are stored and written back as they are. Hashes the legacy app wrote (64 hex characters,
sha256 of the code) are still accepted, under the same lockout, for the 15 minutes they live; a legacy
app that checks one of our codes by sha256 finds no match and the user asks for a new code (it fails
closed, never open).
"""

import hashlib
import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

CODE_HASH_PREFIX = "hmac-sha256$"
MAX_CODE_ATTEMPTS = 5  # guesses per verification, right or wrong; then only a new code helps
_LEGACY_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_KEY_SALT = "accounts.codes.verification_code"


def code_hash(code: str, *, email: str, purpose: str) -> str:
    return CODE_HASH_PREFIX + _keyed(code, email, purpose, settings.SECRET_KEY)


def code_matches(code: str, stored: str, *, email: str, purpose: str) -> bool:
    """Whether `code` is the one `stored` was made from; a hash in no known form never matches."""
    if stored.startswith(CODE_HASH_PREFIX):
        digest = stored.removeprefix(CODE_HASH_PREFIX)
        keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]  # a key rotated meanwhile
        return any(constant_time_compare(digest, _keyed(code, email, purpose, key)) for key in keys)
    if _LEGACY_SHA256.match(stored):
        return constant_time_compare(stored, hashlib.sha256(code.encode()).hexdigest())
    return False


def _keyed(code: str, email: str, purpose: str, key: str) -> str:
    bound = f"{email.strip().lower()}\n{purpose}\n{code}"
    return salted_hmac(_KEY_SALT, bound, secret=key, algorithm="sha256").hexdigest()
