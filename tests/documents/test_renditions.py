"""Controlled PDFs of revisions: content, watermarks, signatures, verification
page, stored once and reused, job claiming, failure and retry, broker down,
uploaded PDFs, the print view's access, and a real worker on Redis."""

import hashlib
import re
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from documents import renditions
from documents.models import Rendition, Revision, RevisionVerification
from qms import jobs, pdf
from qms.errors import PermissionRefused
from qms.models import AuditEvent, Job
from qms.tasks import run_job
from tests import pdf_helpers as h
from tests.celery_utils import publishing_to, real_worker, wait_for_job

S = Revision.Status


@pytest.fixture
def roles(transactional_db):
    h.ensure_roles()  # request it before the personas in transactional tests


def _job_pdf(job: Job) -> bytes:
    job.refresh_from_db()
    assert job.status == Job.Status.READY, job.error
    with default_storage.open(job.file.name, "rb") as fh:
        return fh.read()


def _print(revision, user, capture) -> bytes:
    with capture(execute=True):
        job = renditions.request_revision_pdf(revision=revision, actor=user)
    return _job_pdf(job)


@pytest.fixture
def effective(author, approver):
    doc = h.document(owner=author, number="SOP-QA-007", title="Calibration of gauges")
    rev = h.revision(doc, seq=1, label="00", status=S.EFFECTIVE)
    h.signed(rev, signer=author, meaning="authored", comment="Written after the 2025 audit")
    h.signed(rev, signer=approver, meaning="approved", comment="Fit for use")
    return rev


@pytest.mark.django_db
def test_controlled_pdf_shows_number_revision_footer_printer_and_every_signature(
    effective, staff, django_capture_on_commit_callbacks
):
    text = "\n".join(pdf.extract_text(_print(effective, staff, django_capture_on_commit_callbacks)))
    assert "SOP-QA-007" in text and "Calibration of gauges" in text
    assert "Revision 00" in text and "Effective 2026-01-15" in text
    assert "Acme Precision Ltd" in text
    assert "Uncontrolled when printed" in text
    assert re.search(r"Printed \d{4}-\d\d-\d\d \d\d:\d\d UTC by Sam Lee", text)
    for name, meaning, comment in (
        ("Alex Turner", "Authored", "Written after the 2025 audit"),
        ("Priya Shah", "Approved", "Fit for use"),
    ):
        assert re.search(rf"{name}\s+{meaning}\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+{comment}", text), text
    assert "DRAFT" not in text and "SUPERSEDED" not in text and "OBSOLETE" not in text


@pytest.mark.django_db
def test_every_page_carries_header_footer_page_x_of_y_and_qr_code(author, staff, django_capture_on_commit_callbacks):
    doc = h.document(owner=author, number="WI-QA-001", title="Long work instruction")
    rev = h.revision(doc, content=h.long_markdown(300))
    content = _print(rev, staff, django_capture_on_commit_callbacks)
    pages = pdf.extract_text(content)
    assert len(pages) >= 8  # a long document runs over many pages
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {len(pages)}" in page
        assert "WI-QA-001" in page and "Uncontrolled when printed" in page and "by Sam Lee" in page
    # The QR code (an SVG drawn as a form XObject) is on every page.
    from io import BytesIO

    from pypdf import PdfReader

    for page in PdfReader(BytesIO(content)).pages:
        assert page["/Resources"].get("/XObject"), "page without the QR code"
    assert Rendition.objects.get(revision=rev).page_count == len(pages)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "watermark", "stored"),
    [(S.DRAFT, "DRAFT", False), (S.IN_REVIEW, "DRAFT", False), (S.SUPERSEDED, "SUPERSEDED", True), (S.OBSOLETE, "OBSOLETE", True)],
)
def test_watermark_where_due_on_every_page_and_drafts_are_not_stored(
    author, status, watermark, stored, django_capture_on_commit_callbacks
):
    doc = h.document(owner=author)
    rev = h.revision(doc, status=status, content=h.long_markdown(60))
    pages = pdf.extract_text(_print(rev, author, django_capture_on_commit_callbacks))
    assert len(pages) >= 2
    assert all(watermark in p for p in pages)
    assert Rendition.objects.filter(revision=rev).exists() is stored


@pytest.mark.django_db
def test_pdf_is_stored_once_with_its_sha256_and_reused_by_every_print(
    effective, staff, quality_manager, django_capture_on_commit_callbacks
):
    before = renditions.RENDERS["count"]
    first = _print(effective, staff, django_capture_on_commit_callbacks)
    second = _print(effective, quality_manager, django_capture_on_commit_callbacks)
    assert renditions.RENDERS["count"] - before == 1
    rendition = Rendition.objects.get(revision=effective)
    with default_storage.open(rendition.file.name, "rb") as fh:
        stored = fh.read()
    assert rendition.sha256 == hashlib.sha256(stored).hexdigest()
    assert " UTC by " not in "".join(pdf.extract_text(stored))  # the base carries no per-print line
    assert "by Sam Lee" in pdf.extract_text(first)[0] and "by Quinn Marsh" in pdf.extract_text(second)[0]
    assert pdf.page_count(first) == pdf.page_count(second) == rendition.page_count


@pytest.mark.django_db
def test_superseding_gives_a_new_watermarked_rendition_and_keeps_the_old(
    effective, staff, quality_manager, django_capture_on_commit_callbacks
):
    _print(effective, staff, django_capture_on_commit_callbacks)
    effective.status = S.SUPERSEDED
    effective.save()
    text = "".join(pdf.extract_text(_print(effective, quality_manager, django_capture_on_commit_callbacks)))
    assert "SUPERSEDED" in text
    assert list(Rendition.objects.filter(revision=effective).order_by("pk").values_list("watermark", flat=True)) == [
        "",
        "SUPERSEDED",
    ]


@pytest.mark.django_db
def test_verification_page_says_current_then_superseded_by_which_revision(client, effective, author):
    token = renditions.verification_for(effective).token
    assert len(token) >= 32
    page = client.get(f"/verify/{token}/")  # anonymous: the holder of a printout
    body = page.content.decode()
    assert page.status_code == 200
    assert "SOP-QA-007" in body and "Calibration of gauges" in body and "Current" in body
    assert "Alex Turner" not in body and "How we control" not in body  # number, title, revision, status only

    newer = h.revision(effective.document, seq=2, label="01", status=S.APPROVED, effective_date=date(2026, 3, 1))
    effective.status = S.SUPERSEDED
    effective.save()
    newer.status = S.EFFECTIVE
    newer.save()
    body = client.get(f"/verify/{token}/").content.decode()
    assert "Not current" in body and "Superseded on 2026-03-01 by revision 01" in body
    assert client.get("/verify/not-a-real-token/").status_code == 404


@pytest.mark.django_db
def test_pdf_prints_the_verification_link_of_its_revision(effective, staff, django_capture_on_commit_callbacks):
    text = "".join(pdf.extract_text(_print(effective, staff, django_capture_on_commit_callbacks)))
    token = RevisionVerification.objects.get(revision=effective).token
    assert f"/verify/{token}/" in text.replace("\n", "")


@pytest.mark.django_db
def test_running_the_job_twice_or_two_jobs_make_one_pdf(effective, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = renditions.on_revision_approved(revision=effective, actor=staff)
        other = renditions.on_revision_approved(revision=effective, actor=staff)
    assert run_job.apply(kwargs={"job_id": job.pk}).get() == "ready"
    assert run_job.apply(kwargs={"job_id": job.pk}).get() == "skipped"
    assert run_job.apply(kwargs={"job_id": other.pk}).get() == "ready"
    rendition = Rendition.objects.get(revision=effective)
    job.refresh_from_db()
    other.refresh_from_db()
    # Both jobs point at the one stored file; nothing was copied.
    assert job.file.name == other.file.name == rendition.file.name
    assert job.sha256 == other.sha256 == rendition.sha256


@pytest.mark.django_db
def test_failing_render_marks_job_failed_with_the_error_and_retry_succeeds(
    effective, staff, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("no fonts configured")

    with monkeypatch.context() as m:
        m.setattr(pdf, "html_to_document", broken)
        with django_capture_on_commit_callbacks(execute=True):
            job = renditions.request_revision_pdf(revision=effective, actor=staff)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "no fonts configured" in job.error
    assert not Rendition.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post(f"/jobs/{job.public_id}/retry/")
    assert response.status_code == 302
    assert "SOP-QA-007" in pdf.extract_text(_job_pdf(job))[0]


@pytest.mark.django_db
def test_broker_down_leaves_pending_job_and_sweep_dispatches_it(effective, approver, django_capture_on_commit_callbacks):
    with publishing_to("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        job = renditions.on_revision_approved(revision=effective, actor=approver)
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and job.dispatched_at is None
    assert not Rendition.objects.exists()
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert jobs.sweep_pending() == 1  # the broker is back (eager here)
    job.refresh_from_db()
    assert job.status == Job.Status.READY
    assert Rendition.objects.get(revision=effective).file.name == job.file.name


@pytest.mark.django_db
def test_uploaded_pdf_gets_header_footer_watermark_and_signature_page(
    author, approver, auditor, django_capture_on_commit_callbacks
):
    upload = pdf.html_to_pdf(
        "<p>Supplier drawing 4711 sheet 1</p><p style='page-break-before: always'>Supplier drawing 4711 sheet 2</p>"
    )
    name = default_storage.save("documents/uploads/drawing.pdf", ContentFile(upload))
    doc = h.document(owner=author, number="EXT-QA-001", title="Supplier drawing", type_code="EXT")
    rev = h.revision(doc, status=S.SUPERSEDED, content="", pdf_file=name, pdf_original_name="drawing.pdf")
    h.signed(rev, signer=approver, meaning="approved")
    pages = pdf.extract_text(_print(rev, auditor, django_capture_on_commit_callbacks))
    assert len(pages) == 3  # two uploaded pages and the signature page
    assert "sheet 1" in pages[0] and "sheet 2" in pages[1] and "Priya Shah" in pages[2]
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of 3" in page and "EXT-QA-001" in page and "Uncontrolled when printed" in page
        assert "SUPERSEDED" in page and "by Dana Ortiz" in page


@pytest.mark.django_db
def test_request_revision_pdf_refuses_who_may_not_see_the_revision(author, outsider, staff):
    doc = h.document(owner=author)
    draft = h.revision(doc, status=S.DRAFT)
    for user in (outsider, staff):
        with pytest.raises(PermissionRefused):
            renditions.request_revision_pdf(revision=draft, actor=user)
    assert not Job.objects.exists()


# ------------------------------------------------------------------ the print view
@pytest.mark.django_db
def test_print_view_access_matrix(author, staff, outsider, auditor, client_for, django_capture_on_commit_callbacks):
    doc = h.document(owner=author)
    effective = h.revision(doc, status=S.EFFECTIVE)
    draft = h.revision(doc, seq=2, label="01", status=S.DRAFT)
    url = "/documents/revisions/{}/print/"
    assert client_for(staff).get(url.format(effective.pk)).status_code == 405
    assert client_for(outsider).post(url.format(effective.pk)).status_code == 404
    assert client_for(staff).post(url.format(draft.pk)).status_code == 404
    assert client_for(staff).post(url.format(999999)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        first = client_for(staff).post(url.format(effective.pk))
    assert first.status_code == 302 and first["Location"].startswith("/jobs/")  # no stored PDF yet: a job
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(author).post(url.format(draft.pk)).status_code == 302
    again = client_for(auditor).post(url.format(effective.pk))  # stored now: stamped and returned at once
    assert again.status_code == 200 and again["Content-Type"] == "application/pdf"
    assert "by Dana Ortiz" in pdf.extract_text(again.content)[0]
    assert AuditEvent.objects.filter(verb="revision.printed").count() == 3


# ------------------------------------------------------------------ a real worker
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_on_redis_renders_a_revision_pdf(roles, author, approver, staff):
    doc = h.document(owner=author, number="SOP-QA-042", title="Worker rendered procedure")
    rev = h.revision(doc, status=S.EFFECTIVE)
    h.signed(rev, signer=approver, meaning="approved")
    with real_worker() as worker:
        job = renditions.request_revision_pdf(revision=rev, actor=staff)
        job = wait_for_job(job, worker)
    assert job.status == Job.Status.READY, job.error
    assert job.dispatched_at is not None
    text = "".join(pdf.extract_text(_job_pdf(job)))
    assert "SOP-QA-042" in text and "Priya Shah" in text and "by Sam Lee" in text
    assert Rendition.objects.filter(revision=rev).count() == 1


@pytest.mark.django_db
def test_nightly_warm_up_renders_effective_revisions_without_a_pdf(author):
    from documents.tasks import warm_renditions

    doc = h.document(owner=author)
    effective = h.revision(doc, status=S.EFFECTIVE)
    h.revision(h.document(owner=author), status=S.DRAFT)
    assert warm_renditions.apply().get() == 1
    assert list(Rendition.objects.values_list("revision_id", flat=True)) == [effective.pk]
    assert warm_renditions.apply().get() == 0  # nothing left to do


@pytest.mark.django_db
def test_pdf_rendered_at_approval_is_reused_once_the_revision_is_effective(author, approver, django_capture_on_commit_callbacks):
    doc = h.document(owner=author)
    rev = h.revision(doc, status=S.APPROVED, effective_date=date(2026, 12, 1))
    with django_capture_on_commit_callbacks(execute=True):
        renditions.on_revision_approved(revision=rev, actor=approver)
    stored = Rendition.objects.get(revision=rev)
    assert "Effective 2026-12-01" in pdf.extract_text(renditions.read_rendition(stored))[0]
    rev.status = S.EFFECTIVE
    rev.save()
    assert renditions.current_rendition(rev) == stored


@pytest.mark.django_db
def test_deferred_renditions_request_no_job_and_the_first_print_renders_it(
    effective, staff, django_capture_on_commit_callbacks
):
    """seed_demo approves its past revisions inside `deferred()`: no rendition
    job then; the controlled PDF is made when someone first prints it."""
    with renditions.deferred(), django_capture_on_commit_callbacks(execute=True):
        assert renditions.on_revision_approved(revision=effective, actor=staff) is None
    assert not Job.objects.exists() and not Rendition.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        assert renditions.on_revision_approved(revision=effective, actor=staff) is not None  # outside it: as ever
    Job.objects.all().delete()
    assert "SOP-QA-007" in pdf.extract_text(_print(effective, staff, django_capture_on_commit_callbacks))[0]
    assert Rendition.objects.filter(revision=effective).count() == 1
