from .backfill import BackfillCheckpoint, BackfillReject, BackfillRun, VerifyResult
from .mirror import MirrorOutboxEntry, ShadowMismatch
from .modes import MODE_CHOICES, DomainStoreMode, StoreModeChange
from .requeue import OutboxRequeue
from .scheduled import ScheduledTaskRun

__all__ = [
    "MODE_CHOICES",
    "BackfillCheckpoint",
    "BackfillReject",
    "BackfillRun",
    "DomainStoreMode",
    "MirrorOutboxEntry",
    "OutboxRequeue",
    "ScheduledTaskRun",
    "ShadowMismatch",
    "StoreModeChange",
    "VerifyResult",
]
