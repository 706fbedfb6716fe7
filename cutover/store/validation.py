"""Checks the services share, with errors that name the thing and what was expected: a value from a set, and a
status change along a domain's state machine (each domain's rules.py declares its machine)."""

from collections.abc import Mapping


def require_one_of(value: str, allowed: frozenset[str], name: str, *, error: type[ValueError] = ValueError) -> str:
    if value not in allowed:
        raise error(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return value


class TransitionRefused(ValueError):
    """A status change the record's current status does not allow (the caller's request, not a bad value)."""


class StateMachine:
    """Which status may follow which. Staying in the same status is not a transition and is always allowed;
    a status the machine does not know (a legacy value) allows no change at all."""

    def __init__(self, kind: str, transitions: Mapping[str, frozenset[str]]):
        self.kind, self.transitions = kind, dict(transitions)

    def allows(self, from_status: str, to_status: str) -> bool:
        return from_status == to_status or to_status in self.transitions.get(from_status, frozenset())

    def check(self, from_status: str, to_status: str) -> str:
        if not self.allows(from_status, to_status):
            following = sorted(self.transitions.get(from_status, frozenset()))
            raise TransitionRefused(
                f"a {self.kind} that is {from_status!r} cannot become {to_status!r}; "
                + (f"it may become: {', '.join(following)}" if following else "it is final")
            )
        return to_status
