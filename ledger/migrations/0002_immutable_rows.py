"""Make funds ledger rows immutable in the database itself.

UPDATE and DELETE are rejected row by row with the error
"funds_ledger_entries rows are immutable", whatever the client: ORM save() or
queryset.update()/delete(), raw SQL, a dual write or a backfill rerun.

TRUNCATE skips row triggers, so a statement-level BEFORE TRUNCATE trigger
rejects it too. The one way past it is a deliberate session setting,
`SET escrow.allow_ledger_truncate = 'on'`, which only test databases use
(Django empties tables with TRUNCATE between transactional tests); an
operator who truly must empty a scratch database can do the same, on purpose.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION funds_ledger_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('escrow.allow_ledger_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'funds_ledger_entries rows are immutable'
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'append a new entry that reverses the old one (reversesEntryId)';
END;
$$;
CREATE TRIGGER funds_ledger_entries_immutable_rows
    BEFORE UPDATE OR DELETE ON funds_ledger_entries
    FOR EACH ROW EXECUTE FUNCTION funds_ledger_entries_immutable();
CREATE TRIGGER funds_ledger_entries_no_truncate
    BEFORE TRUNCATE ON funds_ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION funds_ledger_entries_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS funds_ledger_entries_no_truncate ON funds_ledger_entries;
DROP TRIGGER IF EXISTS funds_ledger_entries_immutable_rows ON funds_ledger_entries;
DROP FUNCTION IF EXISTS funds_ledger_entries_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunSQL(CREATE, reverse_sql=DROP)]
