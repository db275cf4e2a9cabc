"""Issued content is append-only at the database (issue 10, PostgreSQL):

- a record form version (the form records were filled in under) never changes
  or disappears;
- a piece of evidence keeps the SHA-256 taken when it was stored: the column is
  guarded (the row's status may still move, e.g. when it is superseded).
"""

from django.db import migrations

from qms.db import append_only

_SHA_GUARD = """
CREATE OR REPLACE FUNCTION records_refuse_evidence_hash_change() RETURNS trigger AS $$
BEGIN
    IF NEW.sha256 IS DISTINCT FROM OLD.sha256 THEN
        RAISE EXCEPTION 'qms: the SHA-256 of evidence % is refused a change: it is append-only', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_SHA_GUARD, None)
    schema_editor.execute('DROP TRIGGER IF EXISTS records_evidence_sha256 ON "records_evidence"')
    schema_editor.execute(
        'CREATE TRIGGER records_evidence_sha256 BEFORE UPDATE OF sha256 ON "records_evidence" '
        "FOR EACH ROW EXECUTE FUNCTION records_refuse_evidence_hash_change()"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP TRIGGER IF EXISTS records_evidence_sha256 ON "records_evidence"')


class Migration(migrations.Migration):
    dependencies = [("records", "0008_unverified_index")]
    operations = [append_only("records_formversion"), migrations.RunPython(forwards, backwards)]
