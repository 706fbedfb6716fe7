"""Issue 22 item 7: verify converges under writes. Writers in threads update records through the services,
in both dual modes, while verify runs over small ranges: the stores agree at every acknowledged write, so
verify passes; a real difference made meanwhile (a row changed behind the mirror's back) still fails it."""

import random
import threading

import pytest

from cutover.backfill.service import backfill_domain
from cutover.backfill.verify import verify_domain
from cutover.testing import set_store_mode
from payments.models import Payment
from payments.services import payment_update
from tests.cutover.fence_helpers import InThread

WRITERS = 3


def _writers(ids: list[str], stop: threading.Event, written: list[int]) -> list[InThread]:
    def write(seed: int) -> None:
        chance = random.Random(seed)
        while not stop.is_set():
            payment_update(payment_id=chance.choice(ids), confirmations=chance.randrange(10**6))
            written[seed] += 1

    return [InThread(lambda seed=seed: write(seed)) for seed in range(WRITERS)]


@pytest.mark.parametrize("mode", ["dual_mongo_primary", "dual"])
def test_verify_passes_on_a_busy_domain_whose_stores_agree_and_fails_on_a_real_difference(legacy, settings, mode):
    settings.CUTOVER_MIRROR = "inline"
    payments = [legacy.payment() for _ in range(24)]
    for domain in ("auth", "marketplace", "payment"):
        backfill_domain(domain)
    set_store_mode("payment", mode)
    busy, apart = [str(p["_id"]) for p in payments[:-1]], str(payments[-1]["_id"])
    stop, written, results = threading.Event(), [0] * WRITERS, []
    writers = _writers(busy, stop, written)
    try:
        while sum(written) < 60 and len(results) < 20:  # verifies while the writers write, a few dozen writes
            results.append(verify_domain("payment", range_size=4))
        Payment.objects.filter(pk=apart).update(tx_hash="changed behind the mirror")
        broken = verify_domain("payment", range_size=4)
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert all(writer.error is None for writer in writers), [writer.error for writer in writers]
    assert sum(written) >= 60, written  # the writers did write throughout
    for result in results:
        assert result.passed, result.samples["payments"]
    assert not broken.passed
    assert broken.samples["payments"]["differing"] == {apart: ["tx_hash"]}
    assert broken.counts["payments"]["missing_in_mongo"] == broken.counts["payments"]["missing_in_postgres"] == 0


def test_a_record_with_a_pending_mirror_entry_is_in_flight_and_one_without_fails(legacy, settings):
    settings.CUTOVER_MIRROR = "relay"  # the relay is not running: the Mongo copy of a `dual` write waits
    first, second = legacy.payment(), legacy.payment()
    for domain in ("auth", "marketplace", "payment"):
        backfill_domain(domain)
    set_store_mode("payment", "dual")
    payment_update(payment_id=str(first["_id"]), confirmations=7)
    result = verify_domain("payment")
    assert result.passed, result.samples["payments"]
    assert result.samples["payments"]["in_flight"] == [str(first["_id"])]
    Payment.objects.filter(pk=str(second["_id"])).update(confirmations=9)  # no entry: a real difference
    result = verify_domain("payment")
    assert not result.passed
    assert result.samples["payments"]["differing"] == {str(second["_id"]): ["confirmations"]}
