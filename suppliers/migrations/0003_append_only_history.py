"""The suppliers' history (approvals, evaluations, certificates, deliveries) cannot be rewritten (qms.db.append_only)."""

from django.db import migrations

from qms.db import append_only


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0002_supplier_audits"), ("qms", "0003_append_only_guards")]

    operations = [append_only(
        "suppliers_historicalsupplier", "suppliers_historicalcontact", "suppliers_historicalcertificate",
        "suppliers_historicalsupplieraudit", "suppliers_historicalcriterion", "suppliers_historicalevaluation",
        "suppliers_historicaldelivery",
    )]
