"""The library's history is append-only; a library question is deactivated, never deleted
(checklists of past audits point at it)."""

from django.db import migrations

from qms.db import append_only, no_delete


class Migration(migrations.Migration):
    dependencies = [("audits", "0005_seed_question_library")]

    operations = [
        append_only("audits_historicalauditquestion"),
        no_delete("audits_auditquestion"),
    ]
