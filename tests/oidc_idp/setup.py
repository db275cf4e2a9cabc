"""Seed the test provider: signing key, our client, two people with groups (run with its settings)."""

import os
import sys

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oidc_provider.models import Client, ResponseType  # noqa: E402

call_command("migrate", verbosity=0)
call_command("creatersakey")
redirect = sys.argv[1]
client = Client.objects.create(name="QMS", client_id="qms-test", client_secret=os.environ["QMS_IDP_SECRET"],
                               client_type="confidential", redirect_uris=[redirect], require_consent=False,
                               jwt_alg="RS256", _scope="openid email profile groups")
client.response_types.add(ResponseType.objects.get(value="code"))
for username, first, last, groups in (("olivia", "Olivia", "Owens", ["qms-quality"]),
                                      ("sven", "Sven", "Staff", ["qms-staff"])):
    user = User.objects.create_user(username, email=f"{username}@idp.example", password="idp-pass-Word-1",
                                    first_name=first, last_name=last)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
print("ok")
