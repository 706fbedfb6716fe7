"""Skewed record clocks, reported (verify's output, the domain's admin page): rows whose updatedAt is in
the future. They never decide a copy (cutover.store.clocks); a legacy writer whose clock runs ahead is
still worth finding. Clocks going backwards are logged by the copy that meets them."""

from cutover.modes.registry import domain_spec
from cutover.store.clocks import FUTURE_TOLERANCE, future_versions


def future_clocks(domain: str) -> list[str]:
    """One line per collection of `domain` with rows whose version is past now + FUTURE_TOLERANCE."""
    spec = domain_spec(domain)
    lines = []
    for collection in spec.collections:
        record_map = spec.record_map(collection)
        count, furthest = future_versions(spec.postgres_model(collection), record_map)
        if count:
            key = record_map.field(record_map.version_field).key
            lines.append(
                f"{domain}/{collection}: {count} row(s) with {key} more than {FUTURE_TOLERANCE} in the future, "
                f"up to {furthest:%Y-%m-%d %H:%M:%S} UTC (a writer's clock runs ahead; reported only, copies "
                f"follow the leading store)"
            )
    return lines
