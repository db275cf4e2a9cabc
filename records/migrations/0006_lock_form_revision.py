"""The lock trigger also guards the form revision a record was made under."""

from django.db import migrations

from records.migrations import _lock_sql


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_lock_sql.FUNCTION, None)


class Migration(migrations.Migration):
    dependencies = [("records", "0005_record_form_revision")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
