"""The legacy backend's store flags (`<DOMAIN>_STORE`, `REPO_<DOMAIN>`), checked at start-up.

A flag that governs no registered domain used to be accepted and ignored, so an operator could set
`POINTS_STORE=postgres` and believe points had moved when nothing existed for them. Now start-up stops
and names it: a flag in CUTOVER_LEGACY_FLAGS whose domain is not registered (a code error), or a variable
in the environment that looks like a legacy flag and governs nothing.
"""

import re
from collections.abc import Iterable, Mapping

# The two spellings the legacy backend used for its flags (SCHEMA.md, "Store domains").
LEGACY_FLAG_NAME = re.compile(r"^(?:[A-Z][A-Z0-9_]*_STORE|REPO_[A-Z][A-Z0-9_]*)$")


class UngovernedLegacyFlag(ValueError):
    pass


def check_legacy_flags(flags: Mapping[str, str], domains: Iterable[str], environment: Iterable[str]) -> None:
    """`flags`: domain -> flag; `domains`: the registered domains; `environment`: the variable names set."""
    registered = set(domains)
    for domain, flag in flags.items():
        if domain not in registered:
            raise UngovernedLegacyFlag(
                f"legacy flag {flag} is declared for domain {domain!r}, which is not a registered store domain "
                f"(CUTOVER_DOMAINS: {', '.join(sorted(registered))})"
            )
    known = set(flags.values())
    for name in sorted(environment):
        if LEGACY_FLAG_NAME.match(name) and name not in known:
            raise UngovernedLegacyFlag(
                f"{name} is set but governs no store domain; the legacy flags this installation knows are "
                f"{', '.join(sorted(known))}. Unset it (its domain may not have moved to this project yet)."
            )
