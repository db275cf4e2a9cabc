"""Data: the question library the system ships with (audits/question_library.py),
so a fresh install has useful checklists on day one without the demo."""

from django.db import migrations


def load(apps, schema_editor):
    from audits.question_library import load as load_questions

    load_questions(apps, schema_editor)


def unload(apps, schema_editor):
    AuditQuestion = apps.get_model("audits", "AuditQuestion")
    AuditQuestion.objects.filter(created_by=None, checklist_items=None).delete()


class Migration(migrations.Migration):
    dependencies = [("audits", "0004_question_library"), ("qms", "0002_roles_and_clauses")]
    operations = [migrations.RunPython(load, unload)]
