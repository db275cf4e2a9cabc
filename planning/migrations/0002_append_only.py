from django.db import migrations

from qms.db import append_only


class Migration(migrations.Migration):
    """The planning history tables and the risk assessments (the points of a
    risk's score trend) refuse UPDATE and DELETE at the database."""

    dependencies = [("planning", "0001_initial")]
    operations = [
        append_only(
            "planning_historicalcontextissue",
            "planning_historicalinterestedparty",
            "planning_historicalobjective",
            "planning_historicalrisk",
            "planning_historicalriskscale",
            "planning_historicalriskaction",
            "planning_historicalkpi",
            "planning_historicalmeasurement",
            "planning_riskassessment",
        )
    ]
