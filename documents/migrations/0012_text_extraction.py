"""Text extraction (issue 19.4): each revision keeps the text read from its
uploaded PDF and source file (qms.textract), and the stored search vector,
kept by the trigger of 0006, now covers that text besides the content."""

from django.db import migrations, models

SQL = """
DROP TRIGGER IF EXISTS documents_revision_tsv ON documents_revision;
CREATE TRIGGER documents_revision_tsv BEFORE INSERT OR UPDATE OF content, extracted_text ON documents_revision
    FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(search_vector, 'pg_catalog.english', content, extracted_text);
CREATE INDEX IF NOT EXISTS documents_revision_extracted_trgm ON documents_revision
    USING gin (extracted_text gin_trgm_ops);
"""

UNDO = """
DROP INDEX IF EXISTS documents_revision_extracted_trgm;
DROP TRIGGER IF EXISTS documents_revision_tsv ON documents_revision;
CREATE TRIGGER documents_revision_tsv BEFORE INSERT OR UPDATE OF content ON documents_revision
    FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(search_vector, 'pg_catalog.english', content);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL, None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNDO, None)


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0011_route_templates'),
    ]

    operations = [
        migrations.AddField(
            model_name='revision',
            name='extracted_text',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.RunPython(forwards, backwards),
    ]
