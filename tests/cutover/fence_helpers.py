"""Shared set-up for the write-fence tests: a dispute in both stores, a domain ready for Postgres to
lead, and what each store holds."""

import threading
import time
from collections.abc import Callable

from django.db import connection

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.factory import repository_for
from cutover.modes.registry import domain_spec
from cutover.testing import set_store_mode
from tests.disputes.factories import dispute_draft

PARENTS = ("auth", "marketplace", "payment")


def disputes_in_both_stores(count: int = 1) -> list[str]:
    """Disputes written in `dual` with inline mirrors, so both stores hold them."""
    from django.conf import settings

    mirror, settings.CUTOVER_MIRROR = settings.CUTOVER_MIRROR, "inline"
    set_store_mode("dispute", "dual")
    try:
        return [repository_for("dispute").create(dispute_draft()).id for _ in range(count)]
    finally:
        settings.CUTOVER_MIRROR = mirror


def ready_for_postgres_to_lead() -> None:
    """What `dual_mongo_primary -> dual` asks for: parents at dual, a backfill, a passing verify."""
    for parent in PARENTS:
        set_store_mode(parent, "dual")
    backfill_domain("dispute")
    assert verify_domain("dispute").passed


def evidence_urls(dispute_id: str) -> dict[str, set[str]]:
    """The evidence URLs each store holds for one dispute."""
    return {
        name: {item.url for item in store.get(dispute_id).evidence}
        for name, store in domain_spec("dispute").backends().items()
    }


def poll(condition: Callable[[], bool], *, seconds: float = 10.0) -> bool:
    """True as soon as `condition` holds; False after `seconds` (a deadline, not a sleep)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class InThread:
    """Run `call` in a thread with its own database connection; keep its result or error."""

    def __init__(self, call: Callable[[], object]):
        self.result: object = None
        self.error: BaseException | None = None
        self._call = call
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self._call()
        except BaseException as error:  # noqa: BLE001 - the test inspects it
            self.error = error
        finally:
            connection.close()

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def join(self, seconds: float = 30.0) -> object:
        self._thread.join(seconds)
        assert self.done, "the thread did not finish in time"
        if self.error is not None:
            raise self.error
        return self.result
