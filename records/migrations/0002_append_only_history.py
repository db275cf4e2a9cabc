from django.db import migrations

from qms.db import append_only, no_delete


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [
        append_only(
            "records_historicalrecordtype",
            "records_historicalrecordtype_clauses",
            "records_historicalformversion",
            "records_historicalrecord",
        ),
        # Records are voided or disposed (tombstone), never deleted (ISO 9001 7.5.3.2).
        no_delete("records_record"),
    ]
