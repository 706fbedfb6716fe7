"""The mirror relay's heartbeat: a row per relay process (MirrorRelayHeartbeat), written as its loop goes round.

A relay that is killed or hangs stops beating; health, the dashboard and /metrics read the newest beat. A
beat is written at most every BEAT_EVERY_SECONDS (a busy relay loops hundreds of times a second), and the
relay's idle wake-up is shorter than that, so a live relay's newest beat is never older than about
BEAT_EVERY_SECONDS plus its idle time. A relay that stops cleanly removes its row; a killed one leaves it,
aging, and rows older than FORGET_AFTER are removed by the next beat of any relay.
"""

import os
import socket
import time
from datetime import datetime, timedelta

from django.utils import timezone

BEAT_EVERY_SECONDS = 2.0
FORGET_AFTER = timedelta(days=1)


class Heartbeat:
    """The heartbeat of the calling relay loop."""

    def __init__(self) -> None:
        self.relay = f"{socket.gethostname()}:{os.getpid()}"[:120]
        self._started_at = timezone.now()
        self._last = float("-inf")

    def beat(self) -> None:
        from cutover.models import MirrorRelayHeartbeat

        if time.monotonic() - self._last < BEAT_EVERY_SECONDS:
            return
        now = timezone.now()
        MirrorRelayHeartbeat.objects.update_or_create(
            relay=self.relay, defaults={"beat_at": now, "started_at": self._started_at}
        )
        MirrorRelayHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()
        self._last = time.monotonic()

    def stop(self) -> None:
        from cutover.models import MirrorRelayHeartbeat

        MirrorRelayHeartbeat.objects.filter(relay=self.relay).delete()


def newest_beat() -> datetime | None:
    """The newest beat of any relay, None when no relay ever beat (or all stopped cleanly)."""
    from cutover.models import MirrorRelayHeartbeat

    return MirrorRelayHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


def relay_heartbeat_age(now: datetime | None = None) -> float | None:
    """Seconds since the newest relay beat, None when there is none."""
    beat = newest_beat()
    return None if beat is None else max(((now or timezone.now()) - beat).total_seconds(), 0.0)
