"""A document has a language (issue 20): its controlled PDF prints its header,
footer, watermark and signature page in it, with that `lang`, whoever prints it
and whatever language their pages are in."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from documents import renditions
from documents.models import Document, Revision
from qms.models import Department
from tests import pdf_helpers as h

pytestmark = pytest.mark.django_db


def _lang(content: bytes) -> str:
    return str(PdfReader(io.BytesIO(content)).trailer["/Root"].get("/Lang", ""))


def _text(content: bytes) -> str:
    return re.sub(r"\s+", " ", h.pdf_text(content))


def _revision(owner, signer, *, language, content, status=Revision.Status.EFFECTIVE):
    doc = h.document(owner=owner, title=content[:20])
    doc.language = language
    doc.save()
    rev = h.revision(doc, content=content, status=status)
    return h.signed(rev, signer=signer, meaning="approved")


def test_a_chinese_sop_prints_chinese_headers_and_signature_page_for_a_german_reader(author, approver, staff):
    h.poppler_or_skip()
    rev = _revision(author, approver, language="zh-hans", content=h.CHINESE)
    staff.language = "de"
    staff.save()
    with translation.override("de"):  # the reader's pages are German: the print is not
        content = renditions.controlled_print(rev, user=staff)
    text = _text(content)
    assert _lang(content) == "zh-Hans"
    for words in ("文件类型", "签名 —", "签名人姓名", "修订版"):
        assert words in text, words
    for foreign in ("Document type", "Printed name", "Dokumentart", "Name in Druckschrift"):
        assert foreign not in text, foreign


def test_a_german_draft_prints_german_words_and_watermark_for_an_english_reader(author, approver, staff):
    h.poppler_or_skip()
    rev = _revision(author, approver, language="de", content="# Prüfmittel\n\nKalibrierung der Messschieber.",
                    status=Revision.Status.DRAFT)
    content = renditions.controlled_print(rev, user=staff)
    text = _text(content)
    assert _lang(content) == "de"
    assert "Dokumentart" in text and "Name in Druckschrift" in text and "Gedruckt" in text, text
    assert "Document type" not in text and "Printed" not in text
    # The watermark is drawn letter by letter, diagonally: its word is read from the layout.
    assert renditions._context(renditions.prepare(rev))["watermark"] == "ENTWURF"


def test_the_language_is_part_of_the_fingerprint_and_the_sites_own_changes_nothing_before(author, approver):
    rev = _revision(author, approver, language="en-gb", content="# Scope\n\nAll calipers.")
    english = renditions.prepare(rev).fingerprint
    assert "language" not in renditions._facts(rev, [], "token", "")  # documents written before keep their print
    rev.document.language = "fr"
    rev.document.save()
    rev.refresh_from_db()
    assert renditions.prepare(rev).fingerprint != english  # printed in French: a new rendition


def test_the_language_is_chosen_on_the_create_and_edit_pages_and_a_bad_one_is_a_form_error(client_for, author,
                                                                                             quality_manager):
    dept = Department.objects.get_or_create(code="QA", defaults={"name": "Quality Assurance"})[0]
    doc_type = h.doc_type("SOP", "SOP documents", 30)
    c = client_for(author)
    data = {"doc_type": doc_type.pk, "department": dept.pk, "title": "Prüfmittelüberwachung",
            "content": "# Zweck", "language": "de"}
    assert c.post(reverse("documents:document-create"), data).status_code == 302
    doc = Document.objects.get(title="Prüfmittelüberwachung")
    assert doc.language == "de"
    before = Document.objects.count()
    page = c.post(reverse("documents:document-create"), {**data, "title": "Other", "language": "klingon"})
    assert page.status_code == 200 and Document.objects.count() == before
    assert "klingon is not one of the available choices" in page.content.decode()
    edit = reverse("documents:document-edit", args=[doc.number])
    form = client_for(quality_manager).get(edit)
    assert 'value="de" selected' in form.content.decode()


def test_the_service_refuses_a_language_the_qms_does_not_have_whoever_calls_it(author, quality_manager):
    from documents import services
    from qms.errors import DomainError

    rev = _revision(author, quality_manager, language="de", content="# Zweck")
    with pytest.raises(DomainError, match="klingon is not a language"):
        services.document_update(actor=quality_manager, document=rev.document, reason="Typo", language="klingon")
    rev.document.refresh_from_db()
    assert rev.document.language == "de"
