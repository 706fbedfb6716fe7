"""Legacy `chats` documents as the legacy app left them: messages embedded, some of them dirty."""

from datetime import timedelta

from bson import ObjectId

from cutover.store.legacy import now_ms


def legacy_chat(database, *, messages: int, participants: tuple | None = None, dirty: bool = False, **extra) -> dict:
    """A chat document with `messages` messages alternating between its two participants; the second reads
    every message but the last five. `dirty`: string ids, unknown keys, a missing createdAt, ISO dates."""
    first, second = participants or (ObjectId(), ObjectId())
    start = now_ms() - timedelta(days=10)
    items = []
    for index in range(messages):
        sender = (first, second)[index % 2]
        other = (second, first)[index % 2]
        read = [sender] + ([other] if index < messages - 5 else [])
        item = {
            "_id": ObjectId(),
            "senderId": sender,
            "body": f"message {index} · ü",
            "attachments": [],
            "createdAt": start + timedelta(seconds=index),
            "readBy": read,
        }
        if dirty and index % 97 == 1:
            item["senderId"] = str(sender)  # an id as its 24-hex string
            item["createdAt"] = (start + timedelta(seconds=index)).isoformat()
            item["reaction"] = {"emoji": "👍", "count": 2}  # unknown key
        if dirty and index % 97 == 2:
            del item["createdAt"]  # derived from the ObjectId
            item["_id"] = ObjectId.from_datetime(start + timedelta(seconds=index))
        items.append(item)
    doc = {
        "_id": ObjectId(),
        "participants": [first, second],
        "messages": items,
        "lastMessageAt": items[-1].get("createdAt", start) if items else None,
        "createdAt": start - timedelta(days=1),
        "updatedAt": start,
    } | extra
    database.chats.insert_one(doc)
    return doc
