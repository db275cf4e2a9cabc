"""Evidence requests: the auditor asks, the quality manager answers with links and files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from auditor.models import EvidenceRequest
from documents.models import Document, DocumentType, Revision
from qms.models import AuditEvent, Notification
from tests.factories import DepartmentFactory
from tests.pdf_helpers import blank_pdf


@pytest.fixture
def sop(author):
    doc_type = DocumentType.objects.get_or_create(code="SOP", defaults={"name": "Procedure"})[0]
    doc = Document.objects.create(number="SOP-QA-001", title="Calibration", doc_type=doc_type, owner=author,
                                  department=DepartmentFactory(code="QA"))
    Revision.objects.create(document=doc, seq=1, label="00", status="effective", content="x", created_by=author)
    return doc


@pytest.mark.django_db
def test_evidence_request_round_trip(client_for, external_auditor, quality_manager, sop):
    auditor = client_for(external_auditor)
    response = auditor.post("/auditor/requests/new/", {
        "subject": "Calibration records for gauge G-17 in March", "page_url": "/clauses/7.1.5/",
    })
    req = EvidenceRequest.objects.get()
    assert response["Location"] == req.get_absolute_url()
    assert req.assigned_to == quality_manager and req.page_url == "/clauses/7.1.5/"
    assert Notification.objects.filter(user=quality_manager, url=req.get_absolute_url()).exists()
    assert "Calibration records for gauge G-17" in client_for(quality_manager).get("/auditor/requests/").content.decode()

    pdf = SimpleUploadedFile("certificate G-17.pdf", blank_pdf(note="test certificate"), content_type="application/pdf")
    qm = client_for(quality_manager)
    response = qm.post(req.get_absolute_url(), {
        "answer": "Here is the certificate and the procedure.", "references": "SOP-QA-001 rev 00\nSOP-QA-001", "files": pdf,
    })
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "answered" and req.answered_by == quality_manager
    labels = [link.label for link in req.links.all()]
    assert labels == ["SOP-QA-001 revision 00 – Calibration", "SOP-QA-001 – Calibration", "certificate G-17.pdf"]
    assert req.links.all()[0].target == Revision.objects.get(document=sop, seq=1)

    page = auditor.get(req.get_absolute_url()).content.decode()
    assert "Here is the certificate" in page and "certificate G-17.pdf" in page
    file_link = req.links.get(file__gt="")
    download = auditor.get(f"/auditor/requests/{req.pk}/files/{file_link.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert auditor.post(req.get_absolute_url(), {"close": "1"}).status_code == 302
    req.refresh_from_db()
    assert req.status == "closed"
    assert list(AuditEvent.objects.filter(verb__startswith="evidence_request").values_list("verb", flat=True)) == [
        "evidence_request.opened", "evidence_request.answered", "evidence_request.closed"]


@pytest.mark.django_db
def test_unknown_reference_is_a_clear_error_and_changes_nothing(client_for, external_auditor, quality_manager):
    client_for(external_auditor).post("/auditor/requests/new/", {"subject": "Management review minutes"})
    req = EvidenceRequest.objects.get()
    response = client_for(quality_manager).post(req.get_absolute_url(), {"answer": "see", "references": "NOPE-999"})
    assert response.status_code == 200 and "Nothing found for “NOPE-999”" in response.content.decode()
    req.refresh_from_db()
    assert req.status == "open" and req.answer == "" and not req.links.exists()


@pytest.mark.django_db
def test_others_cannot_see_or_answer_a_request(client_for, external_auditor, quality_manager, staff, author):
    client_for(external_auditor).post("/auditor/requests/new/", {"subject": "Training records"})
    req = EvidenceRequest.objects.get()
    assert client_for(staff).get(req.get_absolute_url()).status_code == 404
    assert client_for(staff).post(req.get_absolute_url(), {"answer": "x"}).status_code == 404
    # The auditor who asked cannot answer their own request.
    response = client_for(external_auditor).post(req.get_absolute_url(), {"answer": "self-service"})
    assert response.status_code == 403
    req.refresh_from_db()
    assert req.answer == ""


@pytest.mark.django_db
def test_staff_cannot_raise_evidence_requests(client_for, staff):
    assert client_for(staff).get("/auditor/requests/new/").status_code == 403
    assert client_for(staff).post("/auditor/requests/new/", {"subject": "x"}).status_code == 403
    assert not EvidenceRequest.objects.exists()


@pytest.mark.django_db
def test_request_list_query_count_is_constant(client_for, external_auditor, quality_manager, django_assert_max_num_queries):
    from auditor.services import request_evidence

    c = client_for(quality_manager)
    for i in range(3):
        request_evidence(actor=external_auditor, subject=f"Request {i}")
    c.get("/auditor/requests/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        c.get("/auditor/requests/")
    for i in range(30):
        request_evidence(actor=external_auditor, subject=f"More {i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/auditor/requests/")


OFF_SITE = ["//evil.example/phish", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
            "http:/evil.example", "/clauses/\r\nSet-Cookie:x", " //evil.example"]


@pytest.mark.parametrize("url", OFF_SITE)
def test_an_off_site_page_url_is_refused_and_nothing_is_stored(client_for, external_auditor, quality_manager, url):
    response = client_for(external_auditor).post("/auditor/requests/new/", {"subject": "Training records",
                                                                             "page_url": url})
    assert response.status_code == 200
    assert "must be a page on this site" in response.content.decode()
    assert not EvidenceRequest.objects.exists()


@pytest.mark.parametrize("url", OFF_SITE)
def test_the_service_refuses_off_site_links_too(external_auditor, quality_manager, url):
    from auditor import services
    from qms.errors import DomainError

    with pytest.raises(DomainError):
        services.request_evidence(actor=external_auditor, subject="Training records", page_url=url)


def test_a_stored_off_site_link_is_never_shown_as_a_link(client_for, external_auditor, quality_manager):
    from auditor import services

    req = services.request_evidence(actor=external_auditor, subject="Training records", page_url="/clauses/7.2/")
    EvidenceRequest.objects.filter(pk=req.pk).update(page_url="//evil.example/phish")  # a row from before the rule
    html = client_for(quality_manager).get(f"/auditor/requests/{req.pk}/").content.decode()
    assert "evil.example" not in html


def test_notifications_link_only_within_the_site(client_for, quality_manager):
    from qms.notifications import notify, notify_role
    from qms.permissions import Role

    notify(quality_manager, title="Phish", url="//evil.example/login")
    notify_role(Role.QUALITY_MANAGER, title="Phish 2", url="https://evil.example/")
    notify(quality_manager, title="Fine", url="/documents/")
    assert sorted(Notification.objects.values_list("url", flat=True)) == ["", "", "/documents/"]
    html = client_for(quality_manager).get("/notifications/").content.decode()
    assert "evil.example" not in html and 'href="/documents/"' in html
