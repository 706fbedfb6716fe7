"""Checks the services share, with errors that name the thing and what was expected."""


def require_one_of(value: str, allowed: frozenset[str], name: str, *, error: type[ValueError] = ValueError) -> str:
    if value not in allowed:
        raise error(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return value
