"""First modes taken from the legacy `<DOMAIN>_STORE` flags, on the record.

A flag seeds a domain's first mode without any of the steps a mode change takes
(backfill, verify, parents first). A first mode past `mongo` is therefore written
into the mode history as a change by that flag, saying what it skipped, and
`cutover_check` fails the domain until a finished backfill and a passing verify
after it exist (cutover.operations.cutover_check).
"""

from django.db import transaction

from cutover.modes.store_mode import StoreMode

FLAG_AUTHOR_SUFFIX = " (environment flag)"  # changed_by_name of a flag's change; changed_by is None


def create_first_mode_from_flag(domain: str, mode: StoreMode) -> bool:
    """Create `domain`'s mode row in `mode` and its history entry, once across processes; True if created."""
    from cutover.models import DomainStoreMode, StoreModeChange
    from cutover.modes.registry import domain_spec

    flag = domain_spec(domain).flag
    with transaction.atomic():
        _, created = DomainStoreMode.objects.get_or_create(domain=domain, defaults={"mode": mode.value})
        if created:
            StoreModeChange.objects.create(
                domain=domain,
                from_mode=StoreMode.MONGO.value,
                to_mode=mode.value,
                changed_by=None,
                changed_by_name=f"{flag}{FLAG_AUTHOR_SUFFIX}",
                reason=f"first mode taken from the legacy flag {flag}={mode.value}",
                overridden_refusal=skipped_steps(mode),
            )
    return created


def skipped_steps(mode: StoreMode) -> str:
    if mode.position < StoreMode.DUAL.position:
        return ""
    return (
        f"the flag set {mode.value} without the steps from mongo: no backfill, verify or parents-first "
        f"precondition was checked"
    )


def flag_seeded_change(domain: str):
    """The history entry of a first mode a flag set past the preconditions, or None."""
    from cutover.models import StoreModeChange

    by_flag = StoreModeChange.objects.filter(
        domain=domain, changed_by__isnull=True, changed_by_name__endswith=FLAG_AUTHOR_SUFFIX
    )
    return by_flag.exclude(overridden_refusal="").order_by("created_at").first()
