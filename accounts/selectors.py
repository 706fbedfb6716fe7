"""Marketplace user reads, from the store the domain's mode selects."""

from cutover.factory import repository_for

from .records import UserRecord


def user_get(*, user_id: str) -> UserRecord | None:
    return repository_for("auth").get_user(user_id)
