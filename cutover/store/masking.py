"""Secrets in stored legacy data are never shown: the one place that says which keys are secret.

Rejects keep the whole legacy document, shadow mismatches the values that differed and verify results
their samples, so that people can fix them. Some keys hold secrets (a user's `passwordHash`, a temp
verification's `codeHash`, a telegram session's `initDataHash`, any token, secret, key or mnemonic a
legacy document may carry under a name no mapping knows): admin shows those masked, and refuses
filters that look inside the stored data (cutover/admin_masking.py). A key is secret when its name,
in lower case without separators (so `passwordHash` and `password_hash` alike), contains one of
SECRET_NAME_PARTS.
"""

import re
from typing import Any

# Contract fields (docs/legacy-collections.md) first, then what any legacy or future key with a secret in it is called.
SECRET_NAME_PARTS = (
    "password",
    "codehash",
    "initdatahash",
    "token",
    "secret",
    "privatekey",
    "apikey",
    "mnemonic",
    "seedphrase",
    "otp",
    "pin",
)
MASK = "•••••• (secret, masked)"
_SEPARATORS = re.compile(r"[^a-z0-9]")
_CAMEL_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")
# Parts short enough to occur inside harmless names only count as the whole name or a whole word.
_WHOLE_WORD_ONLY = {"otp", "pin"}


def is_secret_key(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    squashed = _SEPARATORS.sub("", key.lower())
    words = set(_SEPARATORS.split(_CAMEL_BOUNDARY.sub(r"\1 \2", key).lower()))
    for part in SECRET_NAME_PARTS:
        if part in _WHOLE_WORD_ONLY:
            if squashed == part or part in words:
                return True
        elif part in squashed:
            return True
    return False


def masked(value: Any) -> Any:
    """A copy of `value` (a document, a list, a differences map) with every secret key's value masked."""
    if isinstance(value, dict):
        return {key: MASK if is_secret_key(key) and item is not None else masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [masked(item) for item in value]
    return value
