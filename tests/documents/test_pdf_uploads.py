"""Uploaded PDFs are documents, not payloads (issue 10 "JavaScript inside
uploaded PDFs", issue 11 item 6): parsed page by page at upload, refused with
a reason when broken or carrying active content; nothing we stamp or serve
carries JavaScript; uploads are served sandboxed."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from documents import renditions
from documents.models import Decision, Document, Revision
from qms import pdf
from tests import pdf_helpers as h
from tests.documents.test_bad_input import create_payload

BROKEN = b"%PDF-1.4\n%just a header and some bytes\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _has_active_content(data: bytes) -> bool:
    reader = PdfReader(io.BytesIO(data))
    return bool(pdf.active_content(reader)) or b"/JavaScript" in data or b"app.alert" in data


@pytest.mark.django_db
def test_a_file_that_only_starts_with_pdf_header_is_refused_with_a_reason(author, client_for):
    fake = SimpleUploadedFile("sop.pdf", BROKEN, content_type="application/pdf")
    r = client_for(author).post("/documents/new/", {**create_payload(), "pdf": fake})
    assert r.status_code == 200
    assert "cannot be accepted: it is not a readable PDF" in r.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_a_pdf_with_open_action_javascript_is_refused_with_a_reason(author, client_for):
    hostile = SimpleUploadedFile("sop.pdf", h.pdf_with_javascript(), content_type="application/pdf")
    r = client_for(author).post("/documents/new/", {**create_payload(), "pdf": hostile})
    text = r.content.decode()
    assert r.status_code == 200 and "cannot be accepted" in text
    assert "JavaScript (on opening)" in text and "document-level JavaScript" in text
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_the_refusal_reads_in_the_uploaders_language(author, client_for):
    """Issue 20: the reasons a PDF is refused were English inside a translated sentence."""
    author.language = "de"
    author.save(update_fields=["language"])
    c = client_for(author)
    hostile = SimpleUploadedFile("sop.pdf", h.pdf_with_javascript(), content_type="application/pdf")
    text = c.post("/documents/new/", {**create_payload(), "pdf": hostile}).content.decode()
    assert "JavaScript (beim Öffnen)" in text and "JavaScript auf Dokumentebene" in text
    assert "Gelenkte Dokumente dürfen keine aktiven Inhalte enthalten" in text and "on opening" not in text
    broken = SimpleUploadedFile("sop.pdf", BROKEN, content_type="application/pdf")
    text = c.post("/documents/new/", {**create_payload(), "pdf": broken}).content.decode()
    assert "es ist kein lesbares PDF" in text and "not a readable PDF" not in text
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_a_real_pdf_is_accepted(author, client_for):
    good = SimpleUploadedFile("sop.pdf", h.blank_pdf(2), content_type="application/pdf")
    r = client_for(author).post("/documents/new/", {**create_payload(), "pdf": good})
    assert r.status_code == 302
    assert Revision.objects.get().pdf_file


@pytest.fixture
def legacy_hostile(author):
    """An uploaded PDF stored before uploads were checked, carrying JavaScript."""
    doc = h.document(owner=author, number="SOP-QA-401", title="Legacy upload")
    name = default_storage.save(f"documents/{doc.pk}/legacy.pdf", ContentFile(h.pdf_with_javascript()))
    return h.revision(doc, content="", pdf_file=name, pdf_original_name="legacy.pdf")


@pytest.mark.django_db
def test_controlled_print_of_a_stored_pdf_with_javascript_carries_none(legacy_hostile, staff):
    assert _has_active_content(h.pdf_with_javascript())  # the crafted file really has it
    content = renditions.controlled_print(legacy_hostile, user=staff)
    assert "SOP-QA-401" in pdf.extract_text(content)[0]
    assert not _has_active_content(content)


@pytest.mark.django_db
def test_served_upload_has_no_javascript_and_is_sandboxed(legacy_hostile, staff, client_for):
    r = client_for(staff).get(f"/documents/{legacy_hostile.document.number}/rev/1/file/pdf/")
    assert r.status_code == 200
    assert r["Content-Security-Policy"] == "sandbox"
    assert r["X-Content-Type-Options"] == "nosniff"
    body = b"".join(r.streaming_content)
    assert body.startswith(b"%PDF-") and not _has_active_content(body)
    assert int(r["Content-Length"]) == len(body)


@pytest.fixture
def broken_effective(author):
    """An effective document whose stored upload only starts with %PDF- (stored before uploads were parsed)."""
    doc = h.document(owner=author, number="SOP-QA-402", title="Broken upload")
    name = default_storage.save(f"documents/{doc.pk}/broken.pdf", ContentFile(BROKEN))
    return h.revision(doc, content="", pdf_file=name, pdf_original_name="broken.pdf")


@pytest.mark.django_db
def test_manual_build_completes_around_a_broken_document_and_tells_the_qm(author, broken_effective, quality_manager):
    from documents import manual
    from qms.models import Notification

    good = h.revision(h.document(owner=author, number="SOP-QA-403", title="Working procedure"))
    build = manual.build_manual(actor=quality_manager)
    with default_storage.open(build.file.name, "rb") as fh:
        pages = pdf.extract_text(fh.read())
    contents = " ".join(" ".join(pages[:2]).split())
    assert "SOP-QA-402 Broken upload" in contents and "could not be rendered" in contents
    assert any("Working procedure" in p for p in pages[2:])
    rows = {c["number"]: c for c in build.contents}
    assert rows["SOP-QA-402"]["error"] == "could not be rendered" and rows["SOP-QA-402"]["reason"]
    assert "error" not in rows["SOP-QA-403"]
    assert list(build.revisions.values_list("pk", flat=True)) == [good.pk]
    assert Notification.objects.filter(user=quality_manager, title__contains="could not be rendered").exists()


@pytest.mark.django_db
def test_a_revision_whose_pdf_cannot_be_rendered_is_not_approved_and_the_approver_sees_why(
    author, approver, client_for
):
    from qms.errors import DomainError
    from tests.documents.factories import approve, make_draft, pdf_upload, submit

    doc = make_draft(author, pdf=pdf_upload())
    revision = doc.latest_revision
    submit(author, revision, [approver])
    # The stored file broke after upload (disk, restore, an older unchecked upload).
    default_storage.delete(revision.pdf_file)
    default_storage.save(revision.pdf_file, ContentFile(BROKEN))
    with pytest.raises(DomainError, match="cannot be rendered as a controlled copy: it is not a readable PDF"):
        approve(approver, revision)
    revision.refresh_from_db()
    assert revision.status == Revision.Status.IN_REVIEW
    assert not Decision.objects.filter(step__revision=revision).exists()  # nothing signed
    page = client_for(approver).get(f"/documents/{doc.number}/rev/{revision.seq}/").content.decode()
    assert "cannot be rendered as a controlled copy" in page

    default_storage.delete(revision.pdf_file)
    default_storage.save(revision.pdf_file, ContentFile(h.blank_pdf()))
    approve(approver, revision)
    revision.refresh_from_db()
    assert revision.status in (Revision.Status.APPROVED, Revision.Status.EFFECTIVE)
