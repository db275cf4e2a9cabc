"""Text extraction and OCR (issue 19.4, qms/textract.py): every stored PDF,
image and DOCX has its text read in a background job, and the document and
record searches find words that appear only in the file, with snippets. OCR
keeps a searchable PDF beside the original, which is never altered. Bad files
fail the job with a reason; without Tesseract, OCR is skipped with a notice."""

import hashlib
import io
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from documents.models import Document, Revision
from qms import integrity, jobs, search, textract
from qms.models import Job, TextExtraction
from records.models import Evidence
from tests import pdf_helpers as h
from tests.documents.test_bad_input import create_payload
from tests.qms import textract_files as f
from tests.qms.textract_files import tesseract  # noqa: F401 - the fixture, used by name
from tests.records.factories import make_record, make_type

pytestmark = pytest.mark.django_db


def _store(data: bytes, ext: str, folder="documents/t") -> str:
    return default_storage.save(f"{folder}/{uuid.uuid4().hex}.{ext}", ContentFile(data))


def _revision_with_pdf(author, data: bytes, *, ext="pdf", number=None, title="Control of records"):
    doc = h.document(owner=author, number=number, title=title)
    name = _store(data, ext)
    rev = h.revision(doc, content="Short body.", pdf_file=name, pdf_original_name=f"scan.{ext}",
                     pdf_sha256=hashlib.sha256(data).hexdigest(), created_by=author)
    Document.objects.filter(pk=doc.pk).update(effective_revision=rev, latest_revision=rev)
    return doc, rev, name


def _run(name: str) -> TextExtraction:
    extraction = TextExtraction.objects.get(file=name)
    assert extraction.job.kind == textract.KIND and jobs.lane_for(textract.KIND) == "bulk"
    jobs.execute(extraction.job_id, heartbeat=False)
    extraction.refresh_from_db()
    return extraction


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as fh:
        return fh.read()


# ------------------------------------------------------------------ asking: never in the upload's way
def test_an_upload_asks_for_extraction_in_a_pending_bulk_job_and_is_not_slowed(author, client_for):
    pdf = SimpleUploadedFile("sop.pdf", f.text_pdf("Torque wrenches are checked quarterly."),
                             content_type="application/pdf")
    r = client_for(author).post("/documents/new/", {**create_payload(), "pdf": pdf})
    assert r.status_code == 302
    rev = Revision.objects.get()
    extraction = TextExtraction.objects.get(file=rev.pdf_file)
    assert extraction.status == "pending" and extraction.job.status == Job.Status.PENDING
    assert extraction.job.requested_by == author and jobs.lane_for(extraction.job.kind) == "bulk"
    assert rev.extracted_text == ""  # nothing read during the request


def test_a_new_revision_keeping_the_same_pdf_gets_its_text_without_a_second_job(author):
    doc, rev, name = _revision_with_pdf(author, f.text_pdf("Quenchant temperature xylophage limits."))
    _run(name)
    again = h.revision(doc, seq=2, status=Revision.Status.DRAFT, content="", pdf_file=name,
                       pdf_original_name="scan.pdf", created_by=author)
    again.refresh_from_db()
    assert "xylophage" in again.extracted_text
    assert Job.objects.filter(kind=textract.KIND).count() == 1


# ------------------------------------------------------------------ text layer, DOCX: no OCR needed
def test_pdf_text_layer_is_found_by_the_document_search_with_a_snippet(author, quality_manager, client_for):
    doc, rev, name = _revision_with_pdf(author, f.text_pdf(
        "Every gauge block is cleaned with isopropanol before calibration."), title="Gauge care")
    extraction = _run(name)
    assert extraction.status == "done" and extraction.method == "text layer" and extraction.pages == 1
    assert not extraction.searchable_pdf  # a text layer needs no OCR copy
    rev.refresh_from_db()
    assert "isopropanol" in rev.extracted_text and "isopropanol" not in rev.content
    # The register's search (PostgreSQL full text over the trigger-kept vector) and its snippet.
    page = client_for(quality_manager).get("/documents/", {"q": "isopropanol"}).content.decode()
    assert doc.number in page and "<mark>isopropanol</mark>" in page
    # The one search box.
    groups = {g.kind.key: g.found for g in search.search(quality_manager, "isopropanol")}
    assert groups["documents"].total == 1
    assert "<mark>isopropanol</mark>" in groups["documents"].hits[0].snippet


def test_docx_source_file_text_is_extracted_and_searchable(author, quality_manager):
    data = f.docx_file(["Solder paste is stored between 2 and 10 degrees."],
                       table=[["Lot", "Expiry"], ["LOT-77", "fluxmeister"]])
    doc = h.document(owner=author, title="Solder paste")
    name = _store(data, "docx")
    rev = h.revision(doc, content="See the source file.", source_file=name, source_original_name="paste.docx",
                     source_sha256=hashlib.sha256(data).hexdigest(), created_by=author)
    Document.objects.filter(pk=doc.pk).update(effective_revision=rev, latest_revision=rev)
    extraction = _run(name)
    assert extraction.status == "done" and extraction.method == "docx"
    assert "Solder paste is stored" in extraction.text and "fluxmeister" in extraction.text
    groups = {g.kind.key: g.found for g in search.search(quality_manager, "fluxmeister")}
    assert groups["documents"].total == 1 and "<mark>fluxmeister</mark>" in groups["documents"].hits[0].snippet


# ------------------------------------------------------------------ OCR
@pytest.mark.usefixtures("tesseract")
def test_a_scanned_pdf_is_ocrd_into_a_searchable_copy_beside_an_unaltered_original(
        author, quality_manager, client_for):
    data = f.scan_pdf([["CALIBRATION CERTIFICATE", "Instrument MICROMETER 4711"],
                       ["Second page", "Result PASSED within tolerance"]])
    doc, rev, name = _revision_with_pdf(author, data, title="Scanned certificate")
    extraction = _run(name)
    assert extraction.status == "done", extraction.error
    assert extraction.method == "ocr" and extraction.ocr_pages == 2 and extraction.languages == "eng"
    assert "MICROMETER" in extraction.text.upper() and "TOLERANCE" in extraction.text.upper()
    # The original is only read: same bytes, same recorded hash; the integrity check agrees.
    assert hashlib.sha256(_read(name)).hexdigest() == rev.pdf_sha256 == extraction.sha256
    assert integrity.check_files().ok
    # The searchable PDF sits beside it, has the original's two pages and a text layer.
    assert extraction.searchable_pdf.startswith(name.rsplit(".", 1)[0]) and extraction.searchable_pdf.endswith(".ocr.pdf")
    copy = _read(extraction.searchable_pdf)
    assert hashlib.sha256(copy).hexdigest() == extraction.searchable_sha256
    reader = PdfReader(io.BytesIO(copy))
    assert len(reader.pages) == 2 and "MICROMETER" in reader.pages[0].extract_text().upper()
    # The job points at the copy; the search finds the word only OCR saw.
    job = Job.objects.get(pk=extraction.job_id)
    assert job.status == Job.Status.READY and job.file.name == extraction.searchable_pdf
    page = client_for(quality_manager).get("/documents/", {"q": "tolerance"}).content.decode()
    assert doc.number in page


@pytest.mark.usefixtures("tesseract")
def test_a_scanned_image_is_ocrd_and_found_by_the_record_search_with_a_snippet(
        staff, quality_manager, client_for):
    record_type = make_type("CAL")
    png = f.scan_png(["Supplier certificate", "Heat number KRYPTONITE 55"])
    upload = SimpleUploadedFile("heat.png", png, content_type="image/png")
    record = make_record(staff, record_type, evidence=[upload])
    evidence = Evidence.objects.get(record=record)
    extraction = _run(evidence.file)
    assert extraction.status == "done" and extraction.method == "ocr", extraction.error
    evidence.refresh_from_db()
    assert "KRYPTONITE" in evidence.text.upper()
    assert hashlib.sha256(_read(evidence.file)).hexdigest() == evidence.sha256
    assert PdfReader(io.BytesIO(_read(extraction.searchable_pdf))).pages  # image + text layer
    page = client_for(quality_manager).get("/records/", {"q": "kryptonite"}).content.decode()
    assert record.number in page
    groups = {g.kind.key: g.found for g in search.search(quality_manager, "kryptonite")}
    assert groups["records"].total == 1
    assert "<mark>" in groups["records"].hits[0].snippet and "KRYPTONITE" in groups["records"].hits[0].snippet.upper()
    # The record's page shows what was read from the file.
    detail = client_for(quality_manager).get(record.get_absolute_url()).content.decode()
    assert "Text extracted" in detail and "searchable PDF" in detail


@pytest.mark.usefixtures("tesseract")
def test_mixed_pdf_ocrs_only_the_scanned_pages(author):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in (f.text_pdf("Typed page about anodising baths."), f.scan_pdf([["Scanned page CHROMATE 9"]])):
        for p in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(p)
    out = io.BytesIO()
    writer.write(out)
    _, _, name = _revision_with_pdf(author, out.getvalue())
    extraction = _run(name)
    assert extraction.method == "text layer + ocr" and extraction.ocr_pages == 1 and extraction.pages == 2
    assert "anodising" in extraction.text and "CHROMATE" in extraction.text.upper()


# ------------------------------------------------------------------ without Tesseract
def test_without_tesseract_ocr_is_skipped_with_a_notice_and_the_rest_works(author, settings, client_for,
                                                                            quality_manager):
    settings.TESSERACT_CMD = "/nonexistent/bin/tesseract"
    textract._installed_languages.cache_clear()
    try:
        _, _, scan = _revision_with_pdf(author, f.scan_pdf([["Nothing to read without OCR"]]))
        extraction = _run(scan)
        assert extraction.status == "done" and extraction.text == "" and not extraction.searchable_pdf
        assert "OCR skipped: Tesseract is not installed" in extraction.notice
        job = Job.objects.get(pk=extraction.job_id)
        assert job.status == Job.Status.READY and "OCR skipped" in job.params["notice"]
        assert "OCR skipped" in client_for(quality_manager).get(job.get_absolute_url()).content.decode()
        # A text layer is still read.
        doc, rev, name = _revision_with_pdf(author, f.text_pdf("Wave soldering of quinquereme boards."))
        assert _run(name).status == "done"
        rev.refresh_from_db()
        assert "quinquereme" in rev.extracted_text
        # The document's page says OCR was skipped for its file.
        detail = client_for(quality_manager).get(
            Document.objects.get(revisions__pdf_file=scan).get_absolute_url()).content.decode()
        assert "OCR skipped" in detail
    finally:
        textract._installed_languages.cache_clear()


@pytest.mark.usefixtures("tesseract")
def test_a_missing_ocr_language_is_a_notice_too(author, settings):
    settings.OCR_LANGUAGES = "eng+zzz"
    _, _, name = _revision_with_pdf(author, f.scan_pdf([["Language check"]]))
    extraction = _run(name)
    assert extraction.status == "done" and "language data for zzz is not installed" in extraction.notice


# ------------------------------------------------------------------ bad files: a failed job with a reason, never a 500
@pytest.mark.parametrize("make, ext, message", [
    (f.corrupt_pdf, "pdf", "The PDF could not be read"),
    (lambda: f.encrypted_pdf("Secret text"), "pdf", "The PDF is encrypted"),
    (lambda: f.huge_png(12_000), "png", "the limit for OCR is 60 megapixels"),
    (lambda: b"PK\x03\x04 not really a zip", "docx", "not a valid ZIP package"),
    (lambda: b"\x89PNG\r\n\x1a\n broken image", "png", "The image could not be read"),
])
def test_a_bad_file_fails_its_job_with_a_clear_reason(author, quality_manager, client_for, make, ext, message):
    _, rev, name = _revision_with_pdf(author, make(), ext=ext)
    extraction = _run(name)
    job = Job.objects.get(pk=extraction.job_id)
    assert extraction.status == "failed" and message in extraction.error
    assert job.status == Job.Status.FAILED and message in job.error
    page = client_for(quality_manager).get(rev.document.get_absolute_url())
    assert page.status_code == 200 and message in page.content.decode()


def test_a_docx_zip_bomb_is_not_unpacked(author, settings):
    settings.TEXTRACT_MAX_UNPACKED_BYTES = 1024 * 1024
    _, _, name = _revision_with_pdf(author, f.docx_bomb(8 * 1024 * 1024), ext="docx")
    extraction = _run(name)
    assert extraction.status == "failed" and "ZIP bomb" in extraction.error


def test_pages_past_the_limit_are_not_read_and_the_notice_says_so(author, settings):
    settings.OCR_MAX_PAGES = 2
    from pypdf import PdfWriter

    writer = PdfWriter()
    for i in range(4):
        writer.add_page(PdfReader(io.BytesIO(f.text_pdf(f"Page number {i} says page{i}word."))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    _, _, name = _revision_with_pdf(author, out.getvalue())
    extraction = _run(name)
    assert extraction.status == "done" and "Only the first 2 of 4 pages" in extraction.notice
    assert "page1word" in extraction.text and "page3word" not in extraction.text


@pytest.mark.usefixtures("tesseract")
def test_the_time_limit_stops_ocr_with_a_reason(author, settings):
    settings.OCR_TIME_LIMIT = 0
    _, _, name = _revision_with_pdf(author, f.scan_pdf([["One"], ["Two"]]))
    extraction = _run(name)
    assert extraction.status == "failed" and "stopped after 0 s (the time limit)" in extraction.error


# ------------------------------------------------------------------ disposal forgets the text
def test_disposed_evidence_loses_its_text(staff, quality_manager):
    record_type = make_type("CAL")
    upload = SimpleUploadedFile("note.pdf", f.text_pdf("Obsidian marker word."), content_type="application/pdf")
    record = make_record(staff, record_type, evidence=[upload])
    evidence = Evidence.objects.get(record=record)
    _run(evidence.file)
    evidence.refresh_from_db()
    assert "Obsidian" in evidence.text
    from django.utils import timezone

    evidence.disposed_at = timezone.now()
    evidence.save()
    evidence.refresh_from_db()
    assert evidence.text == "" and not TextExtraction.objects.filter(file=evidence.file).exists()
    assert search.search(quality_manager, "obsidian", only="records")[0].found.total == 0


def test_blank_pages_are_not_sent_to_ocr(author):
    _, _, name = _revision_with_pdf(author, h.blank_pdf(3))
    extraction = _run(name)
    assert extraction.status == "done" and extraction.ocr_pages == 0 and not extraction.searchable_pdf
    assert extraction.notice == ""  # nothing to OCR, so nothing skipped either


def test_the_command_asks_for_files_stored_before_and_rereads_skipped_ones(author, settings):
    from django.core.management import call_command

    settings.TEXTRACT_ENABLED = False
    _, rev, name = _revision_with_pdf(author, f.text_pdf("Legacy upload with gyroscope text."))
    assert not TextExtraction.objects.exists()
    settings.TEXTRACT_ENABLED = True
    out = io.StringIO()
    call_command("extract_texts", stdout=out)
    assert "1 file(s) sent" in out.getvalue()
    _run(name)
    rev.refresh_from_db()
    assert "gyroscope" in rev.extracted_text
    TextExtraction.objects.filter(file=name).update(ocr_skipped=True)  # the flag, not the notice's English
    call_command("extract_texts", "--skipped", stdout=out)
    assert TextExtraction.objects.get(file=name).status == "pending"
    assert Job.objects.filter(kind=textract.KIND).count() == 2


def test_audit_evidence_text_is_found_by_the_search_box_within_the_audits_rules(quality_manager, auditor, staff,
                                                                                 approver, client_for):
    from audits import services as audits
    from tests.audits.factories import clause, make_audit, make_process

    audit = make_audit(quality_manager, auditor, make_process(owner=approver), state="in_progress")
    audits.checklist_generate(actor=auditor, audit=audit)
    item = audit.checklist.filter(clause=clause("8.5.1")).first()
    upload = SimpleUploadedFile("calibration-certificate.pdf",
                                f.text_pdf("The torque wrench TW-14 was found 3 percent out of tolerance."),
                                content_type="application/pdf")
    [evidence] = audits.evidence_add(actor=auditor, spec=audits.EvidenceSpec(upload=upload, note="Seen at the press"),
                                     checklist_item=item)
    before = {g.kind.key: g.found for g in search.search(auditor, "tolerance")}
    assert "audit_evidence" not in before or before["audit_evidence"].total == 0  # the file's words not read yet
    assert _run(evidence.file).status == "done"
    for user in (quality_manager, auditor):  # the QM and the audit's lead auditor
        groups = {g.kind.key: g.found for g in search.search(user, "tolerance")}
        assert groups["audit_evidence"].total == 1
        hit = groups["audit_evidence"].hits[0]
        assert hit.title == "calibration-certificate.pdf" and hit.url == audit.get_absolute_url()
        assert "<mark>tolerance</mark>" in hit.snippet and audit.number in hit.meta
    # Someone who may not see the audit does not find its evidence, by its text or its name.
    for q in ("tolerance", "calibration-certificate"):
        groups = {g.kind.key: g.found for g in search.search(staff, q)}
        assert "audit_evidence" not in groups or groups["audit_evidence"].total == 0
    page = client_for(auditor).get("/search/", {"q": "tolerance"}).content.decode()
    assert "calibration-certificate.pdf" in page and "<mark>tolerance</mark>" in page
