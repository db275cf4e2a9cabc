"""Seed the six standard document types (admin-configurable afterwards)."""

from django.db import migrations

TYPES = [
    # code, name, pattern, scheme, review months, change reason required, manual order, external
    ("QM", "Quality manual", "QM-{seq:02}", "letters", 12, True, 10, False),
    ("POL", "Policy", "POL-{seq:03}", "numeric", 24, True, 20, False),
    ("SOP", "Standard operating procedure", "SOP-{dept}-{seq:03}", "numeric", 24, True, 30, False),
    ("WI", "Work instruction", "WI-{dept}-{seq:03}", "decimal", 24, False, 40, False),
    ("FRM", "Form", "FRM-{dept}-{seq:03}", "letters", 36, False, 50, False),
    ("EXT", "External document", "EXT-{seq:03}", "numeric", 12, False, 90, True),
]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    for code, name, pattern, scheme, months, reason, order, external in TYPES:
        DocumentType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "numbering_pattern": pattern,
                "revision_scheme": scheme,
                "review_interval_months": months,
                "change_reason_required": reason,
                "manual_order": order,
                "external_origin": external,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_guards_and_search")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
