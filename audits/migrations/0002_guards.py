"""History tables are append-only; regulated rows are never deleted (voided or closed instead)."""

from django.db import migrations

from qms.db import append_only, no_delete


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [
        append_only(
            "audits_historicalauditprogramme",
            "audits_historicalprogrammeitem",
            "audits_historicalaudit",
            "audits_historicalchecklistitem",
            "audits_historicalfinding",
            "audits_historicalauditreport",
            "audits_historicalcapa",
            "audits_historicalcapaaction",
        ),
        no_delete(
            "audits_audit",
            "audits_finding",
            "audits_auditreport",
            "audits_reportdistribution",
            "audits_capa",
            "audits_capaaction",
            "audits_evidence",
        ),
    ]
