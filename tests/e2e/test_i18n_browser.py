"""Browser (issue 20, must hold): a user picks German in the navigation, sees the
German dashboard at the same address, submits a record with a form error and
reads the German message; a German reader prints a Chinese-language SOP from its
page and the PDF has Chinese headers and a Chinese signature page."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from qms.permissions import Role
from records.models import Record
from tests import pdf_helpers as h
from tests.records.factories import make_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIELDS = [
    {"key": "instrument_id", "label": "Instrument ID", "type": "text", "required": True},
    {"key": "deviation", "label": "Measured deviation", "type": "number", "required": True, "min": "-10", "max": "10"},
]


@pytest.fixture(autouse=True)
def _roles(db):
    # A transactional test before this one may have flushed the seeded groups.
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)


def test_german_user_sees_dashboard_and_reads_a_german_form_error(page, login, staff):
    make_type("CAL", name="Calibration record", fields=FIELDS)
    login(staff)
    assert page.get_by_role("heading", name="My tasks").count() == 1
    address = page.url

    page.locator("#user-menu").click()
    page.locator("#nav-language").select_option("de")
    page.locator("#language-switch").get_by_role("button", name="Change").click()
    page.get_by_role("heading", name="Meine Aufgaben").wait_for()
    assert page.url == address  # the same page, no language in the URL
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("link", name="Aufzeichnungen", exact=True).count() == 1
    staff.refresh_from_db()
    assert staff.language == "de"

    page.goto(reverse("records:create", args=["CAL"]))
    page.get_by_label("Measured deviation").fill("12")
    page.get_by_role("button", name="Einreichen (sperrt die Aufzeichnung)").click()
    page.get_by_text("Dieses Feld ist zwingend erforderlich.").wait_for()
    assert page.get_by_text("Dieser Wert muss kleiner oder gleich 10 sein.").count() == 1
    assert "This field is required." not in page.content()
    assert not Record.objects.exists()


def test_a_german_reader_prints_a_chinese_sop_with_chinese_headers_and_signature_page(page, login, author, approver,
                                                                                       staff):
    h.poppler_or_skip()
    doc = h.document(owner=author, number="SOP-QA-086", title="文件控制")
    rev = h.signed(h.revision(doc, content=h.CHINESE), signer=approver, meaning="approved")
    doc.language, doc.effective_revision, doc.latest_revision = "zh-hans", rev, rev
    doc.save()
    staff.language = "de"
    staff.save()
    login(staff)
    page.goto(doc.get_absolute_url())
    page.get_by_role("button", name="Gelenktes PDF drucken").click()  # the reader's page is German
    page.wait_for_url("**/jobs/**")  # no stored rendition yet: a worker renders it, the job page offers it
    link = page.locator("a[href$='/download/']")
    link.wait_for(timeout=60000)
    with page.expect_download() as info:
        link.click()
    text = re.sub(r"\s+", " ", h.pdf_text(open(info.value.path(), "rb").read()))
    for words in ("文件类型", "签名 —", "签名人姓名", "修订版", "SOP-QA-086"):
        assert words in text, words
    for foreign in ("Document type", "Printed name", "Dokumentart", "Name in Druckschrift"):
        assert foreign not in text, foreign
