"""`number__icontains` (the register's search also matches document numbers)
compiles to UPPER("number"::text) LIKE UPPER(%s), which scanned every row: a
trigram GIN index on that expression serves it (PostgreSQL only)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS documents_document_number_upper_trgm "
        "ON documents_document USING gin ((UPPER(number::text)) gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS documents_document_number_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("documents", "0009_merge_20261201_2252")]

    operations = [migrations.RunPython(forwards, backwards)]
