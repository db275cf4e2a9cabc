from django.db import migrations

from qms.db import append_only, no_delete


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]
    operations = [
        # The API's access log is evidence: never changed or removed.
        append_only("api_tokenuse"),
        # Tokens are revoked, never deleted (the trail names them).
        no_delete("api_personalaccesstoken"),
    ]
