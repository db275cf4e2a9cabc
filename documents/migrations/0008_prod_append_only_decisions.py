"""Signed decisions on route steps are append-only at the database (issue 10):
a raw UPDATE or DELETE of a signer's decision is refused (PostgreSQL)."""

from django.db import migrations

from qms.db import append_only


class Migration(migrations.Migration):
    dependencies = [("documents", "0007_renditions")]
    operations = [append_only("documents_decision")]
