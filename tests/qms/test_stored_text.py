"""Texts stored in the database are shown in the reader's language (issue 20,
qms/stored_text.py): a job's error and the notification about it, a text
extraction's notice, on the pages and in the API. The English text stays in
its field for exports and old readers; rows written before (English only)
still show; malformed stored JSON never breaks a page."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext_noop

from qms import stored_text, textract
from qms.models import Job, Notification, TextExtraction
from tests.api.conftest import client_with, token_for
from tests.qms import textract_files as f
from tests.qms.test_textract import _revision_with_pdf, _run

pytestmark = pytest.mark.django_db

PDF_UNREADABLE_DE = "Das PDF konnte nicht gelesen werden"
PDF_UNREADABLE_EN = "The PDF could not be read"


def _speaking(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


# ------------------------------------------------------------------ the helper
def _nested(depth: int) -> dict:
    data = {"msgid": "deep"}
    for _ in range(depth):
        data = {"msgid": "%(x)s", "params": {"x": data}}
    return data


def test_a_stored_text_is_english_and_says_itself_in_the_active_language():
    label = stored_text.text(gettext_noop("Effective date"))
    problem = stored_text.text(gettext_noop("%(what)s %(date)s is before %(year)s."), what=label, date="1899-01-01",
                               year="1900")
    assert problem == "Effective date 1899-01-01 is before 1900."  # a str: English for every old reader
    assert problem.data == {"msgid": "%(what)s %(date)s is before %(year)s.",
                            "params": {"what": {"msgid": "Effective date", "params": {}}, "date": "1899-01-01",
                                       "year": "1900"}}
    with translation.override("de"):
        assert problem.translated() == "Gültig ab 1899-01-01 liegt vor 1900."
    with translation.override("fr"):
        assert stored_text.render(problem.data).endswith("est antérieure à 1900.")
    # a count takes the form its number asks for, in each language
    one = stored_text.ngettext("File integrity check: %(count)s problem", "File integrity check: %(count)s problems",
                               1, count=1)
    three = stored_text.ngettext("File integrity check: %(count)s problem", "File integrity check: %(count)s problems",
                                 3, count=3)
    assert (one, three) == ("File integrity check: 1 problem", "File integrity check: 3 problems")
    with translation.override("de"):
        assert stored_text.render(three.data) == "Prüfung der Dateiintegrität: 3 Probleme"
    # a word with its context, and texts one after the other (a plain string said as it is)
    joined = stored_text.join([stored_text.pgettext("import action", "create"), "SOP-001"])
    with translation.override("es"):
        assert stored_text.render(joined.data) == "crear SOP-001"


@pytest.mark.parametrize("data", [
    {"msgid": 3}, {"params": {"x": 1}}, {"msgid": "%(x)s", "params": {"y": 1}}, {"msgid": "a", "params": "x"},
    {"msgid": "%(n)d", "params": {"n": "not a number"}}, {"join": "not a list"}, {"join": [1, 2]},
    {"msgid": "a", "plural": "b", "n": "two"}, {"msgid": "a", "context": 5}, 42,
    _nested(50),  # deeper than any text is written: refused, not a RecursionError
])
def test_malformed_stored_json_shows_the_english_field(data, quality_manager, client_for):
    job = Job.objects.create(kind="text_extraction", status=Job.Status.FAILED, requested_by=quality_manager,
                             error="The stored English error.", error_i18n=data)
    with translation.override("de"):
        assert stored_text.display(job, "error") == "The stored English error."
    page = client_for(_speaking(quality_manager, "de")).get(job.get_absolute_url())
    assert page.status_code == 200 and "The stored English error." in page.content.decode()


def test_a_row_written_before_stored_texts_shows_its_english(author, client_for):
    job = Job.objects.create(kind="text_extraction", status=Job.Status.FAILED, requested_by=author,
                             error="DomainError: The PDF could not be read (old row).")
    page = client_for(_speaking(author, "de")).get(job.get_absolute_url()).content.decode()
    assert "Der Auftrag ist fehlgeschlagen: DomainError: The PDF could not be read (old row)." in page
    assert stored_text.display_list({"problems": ["old"], "problems_i18n": None}, "problems") == ["old"]


# ------------------------------------------------------------------ a failed job, its page, its notification, the API
def test_a_failed_jobs_error_is_shown_in_each_readers_language(author, quality_manager, client_for):
    _, _, name = _revision_with_pdf(author, f.corrupt_pdf())
    extraction = _run(name)
    job = Job.objects.get(pk=extraction.job_id)
    # Stored in English (exports, the admin, old readers) and as msgid + params.
    assert job.status == Job.Status.FAILED and job.error.startswith(PDF_UNREADABLE_EN)
    assert job.error_i18n["msgid"] == "The PDF could not be read (%(error)s)."
    assert extraction.error == job.error and extraction.error_i18n == job.error_i18n

    german = client_for(_speaking(author, "de")).get(job.get_absolute_url()).content.decode()
    assert f"Der Auftrag ist fehlgeschlagen: {PDF_UNREADABLE_DE} (" in german
    assert PDF_UNREADABLE_EN not in german
    english = client_for(_speaking(quality_manager, "en-gb")).get(job.get_absolute_url()).content.decode()
    assert f"The job failed: {PDF_UNREADABLE_EN} (" in english

    # The owner's notification: title and body in the reader's language too.
    note = Notification.objects.get(user=author)
    assert note.title == "Text extraction failed" and note.body.startswith(PDF_UNREADABLE_EN)
    notes = client_for(author).get("/notifications/").content.decode()
    assert "Textextraktion fehlgeschlagen" in notes and PDF_UNREADABLE_DE in notes

    # The API answers in the token user's language, as the pages do.
    api = client_with(token_for(author))
    body = api.get(f"/api/v1/jobs/{job.public_id}/").json()
    assert body["error"].startswith(PDF_UNREADABLE_DE) and body["label"] == "Textextraktion"
    (listed,) = api.get("/api/v1/notifications/").json()["results"]
    assert listed["title"] == "Textextraktion fehlgeschlagen" and listed["body"].startswith(PDF_UNREADABLE_DE)
    _speaking(author, "fr")
    assert api.get(f"/api/v1/jobs/{job.public_id}/").json()["error"].startswith("Le PDF n")


def test_the_extractions_error_on_the_documents_page_is_in_the_readers_language(author, client_for):
    doc, _, name = _revision_with_pdf(author, f.corrupt_pdf())
    _run(name)
    page = client_for(_speaking(author, "de")).get(doc.get_absolute_url()).content.decode()
    assert PDF_UNREADABLE_DE in page and PDF_UNREADABLE_EN not in page


# ------------------------------------------------------------------ OCR skipped: a field, not an English prefix
def test_skipped_ocr_is_flagged_noticed_in_the_readers_language_and_read_again(author, settings, client_for):
    settings.TESSERACT_CMD = "/nonexistent/bin/tesseract"
    textract._installed_languages.cache_clear()
    try:
        doc, _, scan = _revision_with_pdf(author, f.scan_pdf([["Nothing to read without OCR"]]))
        extraction = _run(scan)
    finally:
        textract._installed_languages.cache_clear()
    assert extraction.status == "done" and extraction.ocr_skipped
    assert extraction.notice.startswith("OCR skipped: Tesseract is not installed")
    job = Job.objects.get(pk=extraction.job_id)
    c = client_for(_speaking(author, "de"))
    for url in (doc.get_absolute_url(), job.get_absolute_url()):
        page = c.get(url).content.decode()
        assert "OCR übersprungen: Tesseract ist auf diesem Server nicht installiert" in page
        assert "OCR skipped" not in page

    # A row whose notice merely reads "OCR skipped" (in whatever language) is not what the command looks for.
    _, _, other = _revision_with_pdf(author, f.text_pdf("Read with its text layer."))
    _run(other)
    TextExtraction.objects.filter(file=other).update(notice="OCR skipped: said in a notice only")
    out = io.StringIO()
    call_command("extract_texts", "--skipped", stdout=out)
    assert "0 file(s) sent for text extraction, 1 sent again." in out.getvalue()
    reread = TextExtraction.objects.get(file=scan)
    assert reread.status == TextExtraction.Status.PENDING and not reread.ocr_skipped and reread.notice_i18n is None
    assert TextExtraction.objects.get(file=other).status == TextExtraction.Status.DONE


def test_the_migration_flags_old_english_notices_of_skipped_ocr():
    migration = importlib.import_module("qms.migrations.0013_stored_text_i18n")
    rows = {
        "a.pdf": "OCR skipped: Tesseract is not installed on this server (no “tesseract” found); only the file's "
                 "own text was read. Install tesseract-ocr and read the file again.",
        "b.pdf": "Only the first 2 of 4 pages were read (OCR_MAX_PAGES). OCR skipped: the Tesseract language data for "
                 "deu is not installed (OCR_LANGUAGES=eng+deu).",
        "c.pdf": "Only the first 2 of 4 pages were read (OCR_MAX_PAGES).",
        "d.pdf": "",
    }
    for name, notice in rows.items():
        TextExtraction.objects.create(file=name, status=TextExtraction.Status.DONE, notice=notice)
    migration.mark_ocr_skipped(apps, None)
    flagged = set(TextExtraction.objects.filter(ocr_skipped=True).values_list("file", flat=True))
    assert flagged == {"a.pdf", "b.pdf"}
