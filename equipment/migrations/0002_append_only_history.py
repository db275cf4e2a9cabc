"""The instruments' and calibrations' history cannot be rewritten (qms.db.append_only)."""

from django.db import migrations

from qms.db import append_only


class Migration(migrations.Migration):
    dependencies = [("equipment", "0001_initial"), ("qms", "0003_append_only_guards")]

    operations = [append_only("equipment_historicalinstrument", "equipment_historicalcalibration")]
