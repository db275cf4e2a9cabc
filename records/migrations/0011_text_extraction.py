"""Text extraction (issue 19.4): each evidence file keeps the text read from
it (qms.textract), with a generated tsvector over it ('simple', as the
records' own search vector of 0007) and a GIN index, which the register's
search ORs with the record's own vector. A disposed file's text is emptied."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE records_evidence ADD COLUMN IF NOT EXISTS text_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, text)) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS records_evidence_text_vector_gin ON records_evidence USING gin (text_vector)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS records_evidence_text_vector_gin")
    schema_editor.execute("ALTER TABLE records_evidence DROP COLUMN IF EXISTS text_vector")


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0010_merge_20261201_2300'),
    ]

    operations = [
        migrations.AddField(
            model_name='evidence',
            name='text',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.RunPython(forwards, backwards),
    ]
