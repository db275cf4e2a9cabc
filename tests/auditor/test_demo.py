"""The `external` demo login works: seed_demo gives it an open, scoped grant."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from auditor import demo
from auditor.models import AuditorAccess
from qms.demo import DEMO_PASSWORD, seed_core
from tests.factories import ensure_reference_data

pytestmark = pytest.mark.django_db


def _login():
    return Client().post("/accounts/login/", {"username": "external", "password": DEMO_PASSWORD})


def test_external_demo_login_works_with_a_scoped_open_grant():
    ensure_reference_data()
    users = seed_core()
    out = io.StringIO()
    demo.seed(users=users, stdout=out)
    access = AuditorAccess.objects.get(user__username="external")
    assert access.is_open() and not access.all_scope
    assert set(access.clauses.values_list("number", flat=True)) == set(demo.CLAUSES)
    note = demo.login_notes()["external"]
    assert f"{access.valid_until:%Y-%m-%d}" in note and "7.1.5" in note and note in out.getvalue()
    assert _login().status_code == 302
    demo.seed(users=users, stdout=out)
    assert AuditorAccess.objects.count() == 1


def test_reseeding_after_the_window_reopens_the_grant():
    ensure_reference_data()
    users = seed_core()
    demo.seed(users=users, stdout=io.StringIO())
    with freeze_time(timezone.now() + timedelta(days=90)):
        assert "has ended" in _login().content.decode()
        demo.seed(users=users, stdout=io.StringIO())
        assert _login().status_code == 302
    assert AuditorAccess.objects.count() == 1
