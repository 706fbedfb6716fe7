"""A writer process for the multi-process fence test: appends distinguishable evidence URLs to
disputes through the live store mode, and prints `ack <dispute> <url>` for each write the service
acknowledged (returned from), flushed at once so a killed writer's acknowledgements still count.

Usage: python -m tests.cutover.fence_writer NAME DIR SECONDS DISPUTE_ID[,DISPUTE_ID...]
It touches DIR/ready-NAME when Django is up, starts when DIR/start exists, writes for SECONDS, and
makes no new write while DIR/pause exists (a test that must verify before verify converges under writes),
and stops early once DIR/stop exists.
"""

import collections
import json
import os
import random
import sys
import time
from pathlib import Path


def main() -> None:
    name, folder, seconds, ids = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]), sys.argv[4].split(",")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escrow_project.settings")
    import django

    django.setup()
    from cutover.store.legacy import new_id
    from disputes.services import dispute_add_evidence

    (folder / f"ready-{name}").touch()
    _wait_for(folder / "start")
    actor, errors, written = new_id(), collections.Counter(), 0
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at and not (folder / "stop").exists():
        if (folder / "pause").exists():
            time.sleep(0.01)
            continue
        dispute_id, url = random.choice(ids), f"http://{name}/{written}"
        written += 1
        try:
            dispute_add_evidence(dispute_id=dispute_id, url=url, uploaded_by_id=actor)
        except Exception as error:  # not acknowledged: counted, and the run goes on
            errors[f"{type(error).__name__}: {str(error)[:120]}"] += 1
            continue
        print(f"ack {dispute_id} {url}", flush=True)
    _drain_background_mirror()
    print("summary " + json.dumps({"tried": written, "errors": errors}), flush=True)


def _wait_for(path: Path, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{path} never appeared")
        time.sleep(0.01)


def _drain_background_mirror() -> None:
    from cutover.mirror.dispatch import dispatcher

    dispatcher.drain(timeout=30)


if __name__ == "__main__":
    main()
