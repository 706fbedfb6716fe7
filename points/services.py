"""Point transactions, through whichever store(s) the domain's mode selects."""

from cutover.factory import repository_for
from cutover.store.extra_kinds import INT64
from cutover.store.legacy import LegacyValueError
from cutover.store.recordmap import OBJECT_ID

from .records import PointTransactionRecord

DOMAIN = "points"


class InvalidPointsInput(ValueError):
    pass


def points_record(*, user_id: str, points: int, reason: str, reference_id: str | None = None) -> PointTransactionRecord:
    """Award (positive) or deduct (negative) points; a transaction of zero points records nothing useful."""
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise InvalidPointsInput(f"points must be a non-zero integer, got {points!r}")
    INT64.check(points, "points")
    if not reason.strip():
        raise InvalidPointsInput("a point transaction needs a reason")
    if reference_id is not None:
        try:
            reference_id = OBJECT_ID.parse(reference_id, "referenceId")
        except LegacyValueError as error:
            raise InvalidPointsInput(str(error)) from None
    return repository_for(DOMAIN).record_points(
        user_id=user_id, points=points, reason=reason.strip(), reference_id=reference_id
    )
