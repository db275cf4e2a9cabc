"""Core pages: dashboard, clause catalogue, audit trail page, notifications, trail export."""

import pytest

from qms.audit import attribute, record_event
from qms.clauses import CLAUSES
from qms.models import Clause, Department, Notification


@pytest.mark.django_db
def test_clause_catalogue_is_loaded_and_browsable(client_for, staff):
    assert Clause.objects.count() == len(CLAUSES)
    c = Clause.objects.get(number="7.5.1")
    assert c.parent.number == "7.5" and c.asks_maintain and c.asks_retain
    assert Clause.objects.get(number="9.2.2").asks_retain
    response = client_for(staff).get("/clauses/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "7.1.5.1" in body and "Retain (record)" in body
    detail = client_for(staff).get("/clauses/7.5/")
    assert "7.5.3" in detail.content.decode()
    assert client_for(staff).get("/clauses/99.9/").status_code == 404


@pytest.mark.django_db
def test_clause_order_is_numeric_not_alphabetic():
    numbers = list(Clause.objects.filter(parent__number="7.1").values_list("number", flat=True))
    assert numbers == ["7.1.1", "7.1.2", "7.1.3", "7.1.4", "7.1.5", "7.1.6"]
    top = list(Clause.objects.filter(parent__isnull=True).values_list("number", flat=True))
    assert top == ["4", "5", "6", "7", "8", "9", "10"]


@pytest.mark.django_db
def test_dashboard_shows_my_task_sections(client_for, staff):
    body = client_for(staff).get("/").content.decode()
    assert "My tasks" in body and "Waiting for my signature" in body


@pytest.mark.django_db
def test_trail_page_shows_who_what_old_new_and_why(client_for, quality_manager, staff):
    from django.contrib.contenttypes.models import ContentType

    dept = attribute(Department(code="QA", name="Quality"), quality_manager, "Set up")
    dept.save()
    attribute(dept, quality_manager, "Renamed after reorganisation")
    dept.name = "Quality Assurance"
    dept.save()
    record_event(actor=quality_manager, verb="department.reviewed", obj=dept, comment="Annual check")
    ct = ContentType.objects.get_for_model(dept)
    url = f"/trail/{ct.pk}/{dept.pk}/"
    body = client_for(quality_manager).get(url).content.decode()
    assert "Renamed after reorganisation" in body
    assert "<del>Quality</del> → <ins>Quality Assurance</ins>" in body
    assert "Annual check" in body and "Quinn Marsh" in body
    assert client_for(staff).get(url).status_code == 403


@pytest.mark.django_db
def test_unread_notification_count_in_navigation(client_for, staff):
    Notification.objects.create(user=staff, title="Please read SOP-QA-001")
    c = client_for(staff)
    assert 'id="unread-count">1<' in c.get("/").content.decode()
    c.post("/notifications/read/")
    assert 'id="unread-count"' not in c.get("/").content.decode()


@pytest.mark.django_db
def test_trail_export_validates_dates_and_refuses_staff(client_for, quality_manager, staff):
    c = client_for(quality_manager)
    response = c.post("/trail/export/", {"since": "2026-05-01", "until": "2026-01-01", "fmt": "csv"})
    assert response.status_code == 200 and "must not be after" in response.content.decode()
    assert client_for(staff).get("/trail/export/").status_code == 403


@pytest.mark.django_db
def test_trail_export_produces_a_human_readable_csv(client_for, quality_manager, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    from qms.models import Job

    record_event(actor=quality_manager, verb="document.approved", comment="OK to release")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(quality_manager).post("/trail/export/", {"fmt": "csv"})
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    text = default_storage.open(job.file.name).read().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Time (UTC),Who,Action")
    assert "Quinn Marsh,Document approved," in text  # the verb's sentence (a fallback for an unregistered one)
    assert ",OK to release,,document.approved" in text  # the verb itself in the last column, for filtering


@pytest.mark.django_db
def test_unknown_page_gives_a_friendly_404(client_for, staff):
    response = client_for(staff).get("/no/such/page/")
    assert response.status_code == 404 and "Not found" in response.content.decode()
