"""Secrets are never shown or queried: the one place that says which names are secret.

Rejects keep the whole legacy document, shadow mismatches the values that differed and verify results
their samples, so that people can fix them. Some keys hold secrets (a user's `passwordHash`, a temp
verification's `codeHash`, a telegram session's `initDataHash`, and any key, token, seed, passphrase or
session a legacy document may carry under a name no mapping knows): admin shows those masked, error
messages and log lines print the mask instead of the value, and the admin refuses every filter, search
and ordering on a secret field or on a field that holds a whole document (cutover/admin_secrets.py).

A name is secret by pattern, in any spelling (`privKey`, `priv_key`, `PRIV-KEY`): it is split into words
at camelCase, snake_case, kebab-case and digit boundaries and lower-cased, then
- it contains one of SECRET_PARTS anywhere (`resetToken`, `userpassword`, `xprv`), or
- one of its words is one of SECRET_WORDS (`accessKey`, `sessionId`, `resetCode`, `pin`): short parts
  count only as whole words, so `pinned`, `shipping`, `postcode`, `keyword` and `seeded` stay ordinary,
  unless that word and the one before it are an ORDINARY_PHRASES entry (`postalCode`, `lastKey`).
The bare name `key` is a secret (an API token's key) except beside a `value...` or `label` sibling (a field
of the same document or model), where it names an entry: a config's `{key, value}`, a template's
`{key, label, type}`.
"""

import re
from collections.abc import Iterable
from typing import Any

# Anywhere in the name (words joined): unambiguous however they are embedded.
SECRET_PARTS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "mnemonic",
    "credential",
    "cookie",
    "authorization",
    "jwt",
    "xprv",
    "xpriv",
    "tprv",
    "yprv",
    "zprv",
    "privkey",
    "privatekey",
    "apikey",
    "accesskey",
    "initdata",  # a telegram session's initData (its hash too)
    "seedphrase",
    "sessionid",
    "sessionkey",
)
# As a whole word only: short enough to sit inside harmless names.
SECRET_WORDS = frozenset(
    {"key", "seed", "priv", "prv", "wif", "session", "otp", "totp", "hotp", "pin", "code", "pwd", "cvv", "cvc"}
)
# A secret word after one of these words names something ordinary (a test pins each).
ORDINARY_PHRASES = frozenset(
    {
        ("postal", "code"),
        ("post", "code"),
        ("zip", "code"),
        ("country", "code"),
        ("currency", "code"),
        ("language", "code"),
        ("status", "code"),
        ("error", "code"),
        ("last", "key"),  # a backfill checkpoint's cursor: the last _id done
        ("sort", "key"),
    }
)
# Siblings that make a bare `key` the name of an entry rather than a key.
_ENTRY_SIBLINGS = ("value", "label")
MASK = "•••••• (secret, masked)"
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def name_words(name: str) -> list[str]:
    """`privKeyV2` -> ["priv", "key", "v", "2"]; `INIT_DATA-hash` -> ["init", "data", "hash"]."""
    return [word.lower() for word in _WORDS.findall(name)]


def is_secret_key(key: Any, siblings: Iterable[Any] = ()) -> bool:
    """Whether a document key or a field name names a secret (see the module docstring); `siblings`: the
    other keys of its document, or the other fields of its model."""
    if not isinstance(key, str):
        return False
    words = name_words(key)
    if words == ["key"] and any(_first_word(sibling) in _ENTRY_SIBLINGS for sibling in siblings):
        return False
    joined = "".join(words)
    if any(part in joined for part in SECRET_PARTS):
        return True
    return any(
        word in SECRET_WORDS and (index == 0 or (words[index - 1], word) not in ORDINARY_PHRASES)
        for index, word in enumerate(words)
    )


def masked(value: Any) -> Any:
    """A copy of `value` (a document, a list, a differences map) with every secret key's value masked.

    A key/value pair (`{"key": "stripeSecret", "value": ...}`, a config entry) whose key names a secret
    has its value masked too: the value's own key says nothing."""
    if isinstance(value, dict):
        secret_entry = any(is_secret_key(value.get(name)) for name in ("key", "name"))
        return {
            key: MASK
            if item is not None and (is_secret_key(key, value) or (secret_entry and _first_word(key) == "value"))
            else masked(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [masked(item) for item in value]
    return value


def _first_word(name: Any) -> str:
    words = name_words(name) if isinstance(name, str) else []
    return words[0] if words else ""
