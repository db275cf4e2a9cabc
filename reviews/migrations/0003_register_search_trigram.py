"""The feedback log's search (`q=`) is `icontains` over the number, customer,
reference and description, which compiles to UPPER(col) LIKE UPPER(%s): on
20,000 entries the count scanned every row (about 60 ms). A trigram GIN index
on each of those expressions lets PostgreSQL OR four bitmap index scans instead
(PostgreSQL only; SQLite keeps its scan)."""

from django.db import migrations

COLUMNS = ("number", "customer", "reference", "description")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS reviews_complaint_{column}_upper_trgm "
            f"ON reviews_complaint USING gin ((UPPER({column}::text)) gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS reviews_complaint_{column}_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_guards")]

    operations = [migrations.RunPython(forwards, backwards)]
