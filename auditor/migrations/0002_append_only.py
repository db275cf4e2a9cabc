from django.db import migrations

from qms.db import append_only, no_delete


class Migration(migrations.Migration):
    dependencies = [("auditor", "0001_initial")]
    operations = [
        append_only(
            "auditor_accesslogentry",
            "auditor_historicalauditoraccess",
            "auditor_historicalauditoraccess_clauses",
            "auditor_historicalauditoraccess_processes",
            "auditor_historicalevidencerequest",
        ),
        no_delete("auditor_auditoraccess", "auditor_evidencerequest", "auditor_evidencelink"),
    ]
