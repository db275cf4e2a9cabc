from django.db import migrations

from qms.db import append_only


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [
        append_only(
            "training_historicalassignment",
            "training_historicalcompetence",
            "training_historicalcompetence_clauses",
            "training_historicalcompetence_documents",
            "training_historicaljobrole",
            "training_historicalperson",
            "training_historicalrecordtypequalification",
            "training_historicalrequirement",
            "training_historicaltrainingevidence",
            "training_historicaltrainingrecord",
        )
    ]
