"""Triggers that keep `chat_participants` right whatever writes `chats` and `chat_messages` (the app, the
mirror, the backfill's COPY and upsert), so no write path has to remember them:

- chats -> chat_participants: one row per distinct user of `participant_ids` (rows of users who left
  are deleted), each with the chat's `last_message_at`; a new row's `read_through` starts at the chat's
  creation (nothing can be unread before it; a message dated earlier lowers it, below).
- chat_messages -> read_through: `read_through` promises that no message at or before it is unread for
  the participant. A message written at or before it and unread by them (a late mirror, a backfill,
  a readBy that lost the user) lowers it to just before that message, so the promise always holds.
"""

from django.db import migrations

SYNC_PARTICIPANTS = """
CREATE FUNCTION chats_sync_participants() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM chat_participants WHERE chat_id = NEW.id AND NOT (user_id = ANY(NEW.participant_ids));
    INSERT INTO chat_participants (chat_id, user_id, last_message_at, read_through)
        SELECT DISTINCT NEW.id, u, NEW.last_message_at, NEW.created_at FROM unnest(NEW.participant_ids) AS u
    ON CONFLICT (chat_id, user_id) DO UPDATE SET last_message_at = EXCLUDED.last_message_at
        WHERE chat_participants.last_message_at IS DISTINCT FROM EXCLUDED.last_message_at;
    RETURN NULL;
END $$;
CREATE TRIGGER chats_participants_sync AFTER INSERT OR UPDATE OF participant_ids, last_message_at ON chats
    FOR EACH ROW EXECUTE FUNCTION chats_sync_participants();

CREATE FUNCTION chat_messages_keep_read_through() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE chat_participants p SET read_through = earliest.at - interval '1 microsecond'
    FROM (
        SELECT p2.id, min(n.created_at) AS at
        FROM written_messages n JOIN chat_participants p2 ON p2.chat_id = n.chat_id
        WHERE p2.read_through >= n.created_at AND n.sender_id <> p2.user_id AND NOT (p2.user_id = ANY(n.read_by))
        GROUP BY p2.id
    ) AS earliest
    WHERE p.id = earliest.id;
    RETURN NULL;
END $$;
CREATE TRIGGER chat_messages_read_through_on_insert AFTER INSERT ON chat_messages
    REFERENCING NEW TABLE AS written_messages
    FOR EACH STATEMENT EXECUTE FUNCTION chat_messages_keep_read_through();
CREATE TRIGGER chat_messages_read_through_on_update AFTER UPDATE ON chat_messages
    REFERENCING NEW TABLE AS written_messages
    FOR EACH STATEMENT EXECUTE FUNCTION chat_messages_keep_read_through();
"""

DROP = """
DROP TRIGGER IF EXISTS chat_messages_read_through_on_update ON chat_messages;
DROP TRIGGER IF EXISTS chat_messages_read_through_on_insert ON chat_messages;
DROP FUNCTION IF EXISTS chat_messages_keep_read_through();
DROP TRIGGER IF EXISTS chats_participants_sync ON chats;
DROP FUNCTION IF EXISTS chats_sync_participants();
"""


class Migration(migrations.Migration):
    dependencies = [("chat", "0001_initial")]

    operations = [migrations.RunSQL(SYNC_PARTICIPANTS, DROP)]
