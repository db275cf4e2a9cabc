"""Substring search for text in scripts without spaces between words (Chinese,
Japanese, …): trigram GIN indexes on revision content and document titles
(PostgreSQL only; SQLite scans)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS documents_revision_content_trgm ON documents_revision USING gin (content gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS documents_document_title_trgm ON documents_document USING gin (title gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS documents_revision_content_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS documents_document_title_trgm")


class Migration(migrations.Migration):
    dependencies = [("documents", "0007_renditions")]

    operations = [migrations.RunPython(forwards, backwards)]
