"""Audit trail, history and signatures are append-only; users are never deleted
(21 CFR 11.10(e), 11.100(a); EU Annex 11 §9)."""

from django.db import migrations

from qms.db import append_only, no_delete


class Migration(migrations.Migration):
    dependencies = [("qms", "0002_roles_and_clauses")]
    operations = [
        append_only(
            "qms_auditevent",
            "qms_signature",
            "qms_historicaluser",
            "qms_historicaluser_groups",
            "qms_historicaldepartment",
            "qms_historicalprocess",
        ),
        no_delete("qms_user"),
    ]
