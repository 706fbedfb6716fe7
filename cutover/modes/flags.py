"""The legacy `<DOMAIN>_STORE` flags against the live modes.

A flag only seeds its domain's first mode (cutover.modes.cache); after that the
live mode is whatever admins set. So a `DISPUTE_STORE=postgres` left in a
deployment file silently means nothing once the domain has a mode: health and
`cutover_check` say so instead of letting it look authoritative.
"""

from dataclasses import dataclass

from cutover.modes.registry import domain_names, domain_spec, flag_mode
from cutover.modes.store_mode import StoreMode


@dataclass(frozen=True)
class FlagDisagreement:
    domain: str
    flag: str
    flag_mode: str
    live_mode: str

    def __str__(self) -> str:
        return (
            f"{self.flag}={self.flag_mode} but {self.domain} is live in {self.live_mode}: the flag only seeded the "
            f"first mode and is ignored now; change the mode with `manage.py store_mode`, then set or remove the flag"
        )


def legacy_flag_for(domain: str) -> tuple[str, str] | None:
    """(flag name, the mode it names) when the domain's legacy flag is set in this process's environment."""
    mode = flag_mode(domain)
    return (domain_spec(domain).flag, mode) if mode else None


def flag_disagreements(live_modes: dict[str, StoreMode]) -> list[FlagDisagreement]:
    """Every registered domain whose flag is set and names another mode than its live one."""
    found = []
    for domain in domain_names():
        flag = legacy_flag_for(domain)
        live = live_modes.get(domain)
        if flag and live is not None and flag[1] != live.value:
            found.append(FlagDisagreement(domain, flag[0], flag[1], live.value))
    return found
