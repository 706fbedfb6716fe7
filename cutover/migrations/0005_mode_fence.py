"""The write fence of store mode changes (see cutover/modes/fence.py for the design).

`cutover_mode_fence(domain)` is the one statement a dual write adds: it takes the
domain's fence in shared mode for the rest of the transaction, *then* reads the
domain's mode. It is a VOLATILE plpgsql function so that the read gets its own
snapshot taken after the lock is granted: a plain `SELECT ... WHERE
pg_advisory_xact_lock_shared(...)` would read with the snapshot taken before it
waited, and so miss the very change it waited for. The writer's wait is bounded
by the function's own lock_timeout (restored when it returns).

The lock key (1297040453 = 'MODE' in ASCII, hashtext(domain)) is the two-int4
form, a key space apart from the one-bigint locks of backfills and `_atomic`.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION cutover_mode_fence(domain_name text) RETURNS text
    LANGUAGE plpgsql VOLATILE
    SET lock_timeout = '15s'
AS $$
DECLARE
    live_mode text;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(1297040453, hashtext(domain_name));
    SELECT mode INTO live_mode FROM cutover_store_modes WHERE domain = domain_name;
    RETURN live_mode;
END;
$$;
"""

DROP = "DROP FUNCTION IF EXISTS cutover_mode_fence(text);"


class Migration(migrations.Migration):
    dependencies = [("cutover", "0004_backfillrun_verifyresult_backfillreject_and_more")]
    operations = [migrations.RunSQL(CREATE, reverse_sql=DROP)]
