"""Who changed what through the API: one ApiChange row per accepted write, naming the authenticated user.

The row is written after the store accepted the change (in `mongo` mode there is no transaction to share with
it): a write is never refused for want of its record, and a database that fails between the two answers 503, so
the caller knows to look. The rows are read in admin (*API changes*), never changed there.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from .models import ApiChange


def record_change(*, user: AbstractBaseUser, action: str, record_id: str, changes: dict[str, Any]) -> ApiChange:
    return ApiChange.objects.create(
        user=user, username=user.get_username(), action=action, record_id=record_id, changes=_json(changes)
    )


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)
