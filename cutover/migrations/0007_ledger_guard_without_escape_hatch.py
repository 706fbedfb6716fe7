"""The ledger's guard loses its escape hatch: `SET escrow.allow_ledger_truncate = 'on'` no longer lifts it.

Any session may set a custom setting, so the hatch let any role with TRUNCATE empty the ledger. Now only
the table's owner (the migrations role, which could drop the trigger anyway) may TRUNCATE it, e.g. to empty
a test database; UPDATE and DELETE stay refused for everyone. The app runs as a runtime role that holds only
SELECT and INSERT on the table (escrow_project/db_roles.py). Lives here, not in ledger/, because the guard is part
of the cutover's least-privilege set-up; it replaces the function ledger 0002 created.
"""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION funds_ledger_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND pg_has_role(
        current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER'
    ) THEN
        RETURN NULL;  -- the owner empties it on purpose (a test or scratch database)
    END IF;
    RAISE EXCEPTION 'funds_ledger_entries rows are immutable'
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'append a new entry that reverses the old one (reversesEntryId)';
END;
$$;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION funds_ledger_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('escrow.allow_ledger_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'funds_ledger_entries rows are immutable'
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'append a new entry that reverses the old one (reversesEntryId)';
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("cutover", "0006_backfill_reject_acknowledgement"), ("ledger", "0003_legacy_shape_and_exact_money")]
    operations = [migrations.RunSQL(GUARD, reverse_sql=PREVIOUS)]
