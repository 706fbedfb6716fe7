"""What every record keeps of its legacy document besides the mapped fields.

Legacy documents carry keys that no mapping knows (docs/legacy-collections.md: "unknown extra
fields"), and some `_id`s are 24-hex strings rather than ObjectIds. A record
keeps both, Postgres stores both (columns `legacy_id`, `legacy_fields`), and
every write back to Mongo restores them: the cutover loses nothing, in either
direction, and the document keeps its identity and BSON types.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LegacyShape:
    # The document's `_id` exactly as stored when it is a string, not an ObjectId; None for an ObjectId
    # (and for records created by this app).
    legacy_id: str | None = field(default=None, kw_only=True)
    # The document's keys that the mapping does not own, as canonical Extended JSON (every BSON type
    # kept); None when there are none.
    legacy_fields: str | None = field(default=None, kw_only=True, repr=False)
    # The owned keys the document stored in another form than writing the record gives (blank: missing, null,
    # or "" where that reads as absent; or another type of the kind's table: 1.0 for true), so a write back
    # gives that form again: cutover.store.absent. None when there were none (and for records of this app).
    legacy_absent: str | None = field(default=None, kw_only=True, repr=False)
