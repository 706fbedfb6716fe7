"""A legacy-app writer process for the multi-process walk: writes the shared legacy store directly, as the
legacy application does (no outbox, no fence, its own clock), and prints each write it was acknowledged:

  legacy-insert <id>             a new dispute (a copy of a seeded one's references)
  legacy-set <id> <text> <views> `$set` description and updatedAt (our clock ± up to 3 h) and `$inc` legacyViews
  legacy-delete <id>             a dispute it inserted, deleted

`legacyViews` is a key no mapping knows (kept in `legacy_fields`): its `$inc`s must survive the round trip.
It writes only while DIR/legacy-on exists (the legacy app runs while Mongo leads) and touches DIR/legacy-stopped
once it has seen it gone with no write in flight; it stops for good once DIR/stop exists.

Usage: python -m tests.cutover.legacy_writer DIR SEEDED_DISPUTE_ID[,...]
"""

import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SKEW = timedelta(hours=3)


def main() -> None:
    folder, seeded = Path(sys.argv[1]), sys.argv[2].split(",")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escrow_project.settings")
    import django

    django.setup()
    from bson import ObjectId

    from escrow_project.mongo import mongo_database

    disputes = mongo_database()["disputes"]
    template = disputes.find_one({"_id": ObjectId(seeded[0])})
    (folder / "ready-legacy").touch()
    alive, views, written, chance = [], {}, 0, random.Random(22)
    while not (folder / "stop").exists():
        if not (folder / "legacy-on").exists():
            (folder / "legacy-stopped").touch()
            time.sleep(0.01)
            continue
        written += 1
        roll = chance.random()
        if roll < 0.3 or not alive:
            document = {key: value for key, value in template.items() if key not in ("evidence", "timeline")}
            document |= {"_id": ObjectId(), "description": f"legacy {written}", "legacyViews": 0}
            document |= {"evidence": [], "timeline": [], "createdAt": _clock(chance), "updatedAt": _clock(chance)}
            disputes.insert_one(document)
            alive.append(str(document["_id"]))
            views[str(document["_id"])] = 0
            print(f"legacy-insert {document['_id']}", flush=True)
        elif roll < 0.85:
            target = chance.choice(alive + seeded)
            text = f"legacy-update-{written}"
            change = {"$set": {"description": text, "updatedAt": _clock(chance)}, "$inc": {"legacyViews": 1}}
            if disputes.update_one({"_id": ObjectId(target)}, change).matched_count:
                views[target] = views.get(target, 0) + 1
                print(f"legacy-set {target} {text} {views[target]}", flush=True)
        else:
            target = alive.pop(chance.randrange(len(alive)))
            disputes.delete_one({"_id": ObjectId(target)})
            print(f"legacy-delete {target}", flush=True)
        time.sleep(0.02)


def _clock(chance: random.Random) -> datetime:
    """The legacy app's clock: ours, up to SKEW ahead or behind (milliseconds, as BSON keeps them)."""
    at = datetime.now(UTC) + chance.uniform(-1, 1) * SKEW
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


if __name__ == "__main__":
    main()
