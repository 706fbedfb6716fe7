"""The ledger's answers to cutover.backfill.money_rejects: what a rejected entry would do to a balance, and
the compensating entry that carries its money into the ledger when an operator decides so."""

import json
from decimal import Decimal

from bson import json_util

from cutover.backfill.money_rejects import MoneyEffect
from cutover.store.legacy import LegacyValueError, legacy_money, object_id_hex

from .quarantine import LEDGER_COLLECTION
from .records import DIRECTIONS
from .selectors import ledger_balance
from .services import ledger_compensate


def reject_money_effect(collection: str, document: dict) -> MoneyEffect | None:
    """A rejected ledger document's effect, read as far as it reads: an unreadable amount or user is None."""
    if collection != LEDGER_COLLECTION:
        return None
    legacy = json_util.loads(json.dumps(document))
    user_id, amount = _or_none(object_id_hex, legacy.get("userId")), _or_none(legacy_money, legacy.get("amount"))
    currency = legacy.get("currency") if isinstance(legacy.get("currency"), str) else None
    direction = str(legacy.get("direction", "")).strip().lower()
    signed = None if amount is None or direction not in DIRECTIONS else (amount if direction == "credit" else -amount)
    balance = ledger_balance(user_id=user_id, currency=currency) if user_id and currency else None
    return MoneyEffect(user_id=user_id, currency=currency, signed_amount=signed, balance_now=balance)


def compensate_reject(effect: MoneyEffect, *, reference: str) -> str:
    entry = ledger_compensate(
        user_id=effect.user_id, currency=effect.currency, signed_amount=effect.signed_amount, reference=reference
    )
    return entry.id


def _or_none(read, value) -> str | Decimal | None:
    try:
        return read(value, "value")
    except LegacyValueError:
        return None
