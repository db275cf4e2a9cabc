"""Data: the six role groups and the ISO 9001:2015 clause catalogue."""

from django.db import migrations

ROLES = ["Quality Manager", "Author", "Approver", "Staff", "Auditor", "External Auditor"]


def sort_key(number):
    return ".".join(f"{int(p):03d}" for p in number.split("."))


def load(apps, schema_editor):
    from qms.clauses import CLAUSES

    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    Clause = apps.get_model("qms", "Clause")
    by_number = {}
    for number, title, info, note in CLAUSES:
        parent = by_number.get(number.rsplit(".", 1)[0]) if "." in number else None
        clause, _ = Clause.objects.update_or_create(
            number=number,
            defaults={"title": title, "documented_info": info, "note": note, "parent": parent, "sort_key": sort_key(number)},
        )
        by_number[number] = clause


def unload(apps, schema_editor):
    apps.get_model("qms", "Clause").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("qms", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, unload)]
