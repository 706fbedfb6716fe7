"""Wake the mirror relay when outbox rows are inserted.

pg_notify inside the inserting transaction is delivered only when it commits,
so the relay never looks for a row it cannot see yet. One NOTIFY per INSERT
statement, not per row.
"""

from django.db import migrations

CHANNEL = "cutover_outbox"

CREATE = f"""
CREATE FUNCTION cutover_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER cutover_outbox_notify AFTER INSERT ON cutover_mirror_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION cutover_outbox_notify();
"""

DROP = """
DROP TRIGGER IF EXISTS cutover_outbox_notify ON cutover_mirror_outbox;
DROP FUNCTION IF EXISTS cutover_outbox_notify();
"""


class Migration(migrations.Migration):
    dependencies = [("cutover", "0001_initial")]
    operations = [migrations.RunSQL(CREATE, reverse_sql=DROP)]
