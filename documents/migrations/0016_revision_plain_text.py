# The rendered text of every revision, for search snippets (issue 18.2: never the Markdown source).

from django.db import migrations, models


def fill(apps, schema_editor):
    from documents.models import plain_text_of

    Revision = apps.get_model("documents", "Revision")
    batch = []
    for rev in Revision.objects.exclude(content="").only("pk", "content").iterator(chunk_size=500):
        rev.plain_text = plain_text_of(rev.content)
        batch.append(rev)
        if len(batch) == 500:
            Revision.objects.bulk_update(batch, ["plain_text"])
            batch = []
    if batch:
        Revision.objects.bulk_update(batch, ["plain_text"])


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0015_revision_id_status'),
    ]

    operations = [
        migrations.AddField(
            model_name='revision',
            name='plain_text',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
