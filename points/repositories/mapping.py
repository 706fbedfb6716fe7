"""The one place point transaction field names are translated (docs/legacy-collections.md: pointtransactions)."""

from cutover.store.extra_kinds import INT64
from cutover.store.recordmap import DATETIME, OBJECT_ID, TEXT, Field, RecordMap

from ..records import PointTransactionRecord

POINT_TRANSACTION = RecordMap(
    PointTransactionRecord,
    collection="pointtransactions",
    model="points.PointTransaction",
    version_field=None,  # createdAt only: a transaction is written once
    fields=(
        Field("id", "_id", OBJECT_ID),
        Field("user_id", "userId", OBJECT_ID),
        Field("points", "points", INT64),
        Field("reason", "reason", TEXT, default=""),
        Field("reference_id", "referenceId", OBJECT_ID, optional=True),
        Field("created_at", "createdAt", DATETIME),
    ),
)

MAPS = (POINT_TRANSACTION,)
