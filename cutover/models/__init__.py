"""The cutover machinery's own tables.

Owns modes and their audit (modes), backfill runs, checkpoints, rejects and verify results
(backfill), the outbox, relay heartbeats and shadow mismatches (mirror), scheduled task runs (scheduled) and
outbox requeues (requeue). Imports only the store layer and the mode values.
"""

from cutover.models.backfill import (
    BackfillCheckpoint,
    BackfillRangeDigest,
    BackfillReject,
    BackfillRun,
    VerifyResult,
)
from cutover.models.mirror import MirrorOutboxEntry, MirrorRelayHeartbeat, ShadowMismatch, ShadowReadTally
from cutover.models.modes import MODE_CHOICES, DomainStoreMode, StoreModeChange
from cutover.models.requeue import OutboxRequeue
from cutover.models.scheduled import ScheduledTaskRun

__all__ = [
    "MODE_CHOICES",
    "BackfillCheckpoint",
    "BackfillRangeDigest",
    "BackfillReject",
    "BackfillRun",
    "DomainStoreMode",
    "MirrorOutboxEntry",
    "MirrorRelayHeartbeat",
    "OutboxRequeue",
    "ScheduledTaskRun",
    "ShadowMismatch",
    "ShadowReadTally",
    "StoreModeChange",
    "VerifyResult",
]
