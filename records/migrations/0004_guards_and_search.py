"""Database guards for records (PostgreSQL; SQLite relies on the services alone)
and the full-text search index.

- A submitted record's identity and values can change only through the
  amendment or disposition services, which mark their transaction with
  `SET LOCAL qms.records_path`; any other UPDATE (a raw SQL statement, a
  forgotten code path) is refused (ISO 9001 7.5.3.2: protection from
  unintended alteration).
- Amendments are append-only except that disposition may blank their values.
- Records, evidence and amendments are never deleted.
"""

from django.db import migrations

from qms.db import append_only, no_delete

_LOCK_FUNCTION = """
CREATE OR REPLACE FUNCTION records_refuse_locked_change() RETURNS trigger AS $$
DECLARE
    path text := coalesce(current_setting('qms.records_path', true), '');
BEGIN
    IF TG_TABLE_NAME = 'records_record' THEN
        IF OLD.status = 'draft' THEN
            RETURN NEW;
        END IF;
        IF (NEW.number, NEW.record_type_id, NEW.form_version_id, NEW.created_by_id, NEW.submitted_at, NEW.submitted_by_id)
           IS DISTINCT FROM
           (OLD.number, OLD.record_type_id, OLD.form_version_id, OLD.created_by_id, OLD.submitted_at, OLD.submitted_by_id)
        THEN
            RAISE EXCEPTION 'qms: record % is locked: its identity cannot change', OLD.number
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.values IS DISTINCT FROM OLD.values AND path NOT IN ('amend', 'dispose') THEN
            RAISE EXCEPTION 'qms: record % is locked: values change only through an amendment', OLD.number
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.status = 'disposed' THEN
            RAISE EXCEPTION 'qms: record % is disposed: the tombstone cannot change', OLD.number
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    -- records_amendment
    IF path <> 'dispose' THEN
        RAISE EXCEPTION 'qms: UPDATE on records_amendment is refused: amendments are append-only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_LOCK_FUNCTION, None)
    for table in ("records_record", "records_amendment"):
        schema_editor.execute(f'DROP TRIGGER IF EXISTS records_lock ON "{table}"')
        schema_editor.execute(
            f'CREATE TRIGGER records_lock BEFORE UPDATE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION records_refuse_locked_change()"
        )
    # Full-text search over field values: the same expression the selector queries.
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS records_record_search_gin ON records_record "
        "USING gin (to_tsvector('simple'::regconfig, search_text))"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("records_record", "records_amendment"):
        schema_editor.execute(f'DROP TRIGGER IF EXISTS records_lock ON "{table}"')
    schema_editor.execute("DROP INDEX IF EXISTS records_record_search_gin")


class Migration(migrations.Migration):
    dependencies = [("records", "0003_records_workflow")]
    operations = [
        append_only("records_historicalevidence"),
        no_delete("records_amendment", "records_evidence"),
        migrations.RunPython(forwards, backwards),
    ]
