from django.db import migrations

from qms.db import append_only


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [
        append_only(
            "documents_historicaldocumenttype",
            "documents_historicaldocument",
            "documents_historicaldocument_clauses",
            "documents_historicalrevision",
        )
    ]
