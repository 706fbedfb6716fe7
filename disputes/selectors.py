"""Dispute reads, from the store the domain's mode selects."""

from cutover.factory import repository_for

from .records import DisputeRecord

DOMAIN = "dispute"


def dispute_get(*, dispute_id: str) -> DisputeRecord | None:
    return repository_for(DOMAIN).get(dispute_id)


def disputes_for_dashboard(*, status: str, priority: str | None = None, limit: int = 50) -> list[DisputeRecord]:
    return repository_for(DOMAIN).list_by_status_priority(status=status, priority=priority, limit=limit)


def disputes_for_admin(*, admin_id: str, status: str | None = None, limit: int = 50) -> list[DisputeRecord]:
    return repository_for(DOMAIN).list_by_admin(admin_id=admin_id, status=status, limit=limit)
