"""The external auditor's landing page (issue 18.9): access window and days
left, scope, open evidence requests and the ways in; not the staff task cards.
Everyone else keeps the dashboard."""

import pytest
from django.test.utils import CaptureQueriesContext

from auditor import services
from qms.models import Clause

pytestmark = pytest.mark.django_db


def test_the_auditor_sees_window_scope_requests_and_shortcuts(external_auditor, client_for):
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="8.5")])
    req = services.request_evidence(actor=external_auditor, subject="Press calibration records")
    html = client_for(external_auditor).get("/").content.decode()
    assert "Stage 2 certification audit" in html and "CertBody AB" in html
    assert 'id="days-left">6 days left' in html or 'id="days-left">7 days left' in html
    assert "clause 8.5" in html and "the whole management system" not in html
    assert "Press calibration records" in html and req.get_absolute_url() in html
    assert "ISO 9001 readiness map" in html and "/auditor/asof/" in html and "/auditor/packs/" in html
    assert "My draft records" not in html and "Records to verify" not in html


def test_the_whole_scope_and_an_expired_window(external_auditor, client_for):
    from datetime import timedelta

    from django.utils import timezone

    access = external_auditor.auditor_access
    html = client_for(external_auditor).get("/").content.decode()
    assert "the whole management system" in html
    access.valid_from = timezone.now() - timedelta(days=10)
    access.valid_until = timezone.now() - timedelta(days=2)
    access.save()
    response = client_for(external_auditor).get("/")
    # An expired grant is signed out by the auditor middleware before any page; never a 500.
    assert response.status_code in (200, 302, 403)


def test_staff_keep_the_dashboard(staff, client_for):
    html = client_for(staff).get("/").content.decode()
    assert "Where to start" not in html and "Dashboard" in html


def test_query_count_is_flat_in_requests(external_auditor, client_for, django_assert_max_num_queries):
    c = client_for(external_auditor)
    services.request_evidence(actor=external_auditor, subject="First")
    from django.db import connection

    with CaptureQueriesContext(connection) as one:
        c.get("/")
    for i in range(6):
        services.request_evidence(actor=external_auditor, subject=f"More {i}")
    with django_assert_max_num_queries(len(one)):
        assert c.get("/").status_code == 200
