"""Database guards and search indexes for controlled documents (PostgreSQL only).

- New history tables are append-only; regulated rows are never deleted.
- A trigger freezes a revision's content once it leaves Draft (DOC-05) and
  refuses status moves outside the lifecycle (DOC-03), whatever code runs.
- Full-text search columns and their GIN indexes: migration 0006.
"""

from django.db import migrations

from qms.db import append_only, no_delete

FREEZE = """
CREATE OR REPLACE FUNCTION documents_revision_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'draft' AND (
        NEW.content IS DISTINCT FROM OLD.content
        OR NEW.pdf_file IS DISTINCT FROM OLD.pdf_file
        OR NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256
        OR NEW.source_file IS DISTINCT FROM OLD.source_file
        OR NEW.source_sha256 IS DISTINCT FROM OLD.source_sha256
        OR NEW.change_summary IS DISTINCT FROM OLD.change_summary
        OR NEW.change_reason IS DISTINCT FROM OLD.change_reason
        OR NEW.document_id IS DISTINCT FROM OLD.document_id
        OR NEW.seq IS DISTINCT FROM OLD.seq
    ) THEN
        RAISE EXCEPTION 'documents: revision % is %; its content is frozen', OLD.id, OLD.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status IN ('approved', 'effective', 'superseded', 'obsolete') AND NEW.label IS DISTINCT FROM OLD.label THEN
        RAISE EXCEPTION 'documents: revision % is %; its label is frozen', OLD.id, OLD.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
        (OLD.status = 'draft' AND NEW.status = 'in_review')
        OR (OLD.status = 'in_review' AND NEW.status IN ('draft', 'approved'))
        OR (OLD.status = 'approved' AND NEW.status = 'effective')
        OR (OLD.status = 'effective' AND NEW.status IN ('superseded', 'obsolete'))
    ) THEN
        RAISE EXCEPTION 'documents: revision % cannot move from % to %', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS documents_revision_guard ON documents_revision;
CREATE TRIGGER documents_revision_guard BEFORE UPDATE ON documents_revision
    FOR EACH ROW EXECUTE FUNCTION documents_revision_guard();
"""

UNDO = """
DROP TRIGGER IF EXISTS documents_revision_guard ON documents_revision;
DROP FUNCTION IF EXISTS documents_revision_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FREEZE, None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNDO, None)


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_lifecycle_route_acks")]
    operations = [
        append_only(
            "documents_historicaldocument_distribution_users",
            "documents_historicaldocument_distribution_groups",
        ),
        no_delete(
            "documents_document",
            "documents_revision",
            "documents_routestep",
            "documents_stepsigner",
            "documents_decision",
            "documents_acknowledgement",
            "documents_periodicreview",
            "documents_numbercounter",
        ),
        migrations.RunPython(forwards, backwards),
    ]
