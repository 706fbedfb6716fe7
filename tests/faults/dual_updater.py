"""A writer process for the concurrent-updates fault test: updates the display names of the given users
through the live store mode, round robin, and prints one JSON line: how many writes were acknowledged
(returned from) and the last name it wrote to each user.

Usage: python -m tests.faults.dual_updater NAME DIR COUNT USER_ID[,USER_ID...]
It touches DIR/ready-NAME when Django is up and starts when DIR/start exists.
"""

import json
import os
import sys
import time
from pathlib import Path


def main() -> None:
    name, folder, count, ids = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(",")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escrow_project.settings")
    import django

    django.setup()
    from accounts.services import user_update
    from cutover.mirror.dispatch import dispatcher

    (folder / f"ready-{name}").touch()
    deadline = time.monotonic() + 120
    while not (folder / "start").exists():  # a start line for every writer, not a guess at timing
        if time.monotonic() > deadline:
            raise SystemExit("never started")
        time.sleep(0.005)
    acknowledged, errors, last = 0, [], {}
    for index in range(count):
        user_id = ids[index % len(ids)]
        try:
            user_update(user_id=user_id, display_name=f"{name}-{index}")
        except Exception as error:  # not acknowledged: reported
            errors.append(f"{type(error).__name__}: {str(error)[:100]}")
            continue
        acknowledged += 1
        last[user_id] = f"{name}-{index}"
    dispatcher.drain(timeout=30)
    print(json.dumps({"acknowledged": acknowledged, "errors": errors, "last": last}), flush=True)


if __name__ == "__main__":
    main()
