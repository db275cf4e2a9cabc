"""Browser: staff fills a calibration record with an evidence file and submits;
a verifier signs; the quality manager sees it verified. And the quality
manager builds a form in the browser (add, reorder, remove) without JSON."""

import base64

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from qms.permissions import Role
from records.models import FormVersion, Record
from tests.pdf_helpers import blank_pdf
from tests.records.factories import PDF_BYTES, make_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _roles(db):
    # A transactional test before this one may have flushed the seeded groups.
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)


CAL_FIELDS = [
    {"key": "instrument_id", "label": "Instrument ID", "type": "text", "required": True},
    {"key": "calibration_date", "label": "Calibration date", "type": "date", "required": True},
    {"key": "deviation", "label": "Measured deviation", "type": "number", "required": True, "min": "-10", "max": "10", "unit": "µm"},
    {"key": "result", "label": "Result", "type": "choice", "required": True, "choices": ["Pass", "Adjusted and passed", "Fail"]},
    {"key": "checks", "label": "Checks", "type": "multichoice", "required": False, "choices": ["Visual", "Zero point"]},
    {"key": "certificate", "label": "Calibration certificate", "type": "file", "required": True},
]


def _logout(page):
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")


def test_calibration_record_submitted_verified_and_seen_by_quality_manager(
    page, login, staff, approver, quality_manager, password, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path)
    make_type("CAL", name="Calibration record", fields=CAL_FIELDS)
    certificate = tmp_path / "Kalibrierschein MIC-01.pdf"
    certificate.write_bytes(PDF_BYTES)

    login(staff)
    page.get_by_role("link", name="Records", exact=True).click()
    page.get_by_role("link", name="New record").click()
    page.get_by_role("link", name="Calibration record").click()
    page.get_by_label("Instrument ID").fill("MIC-01")
    page.get_by_label("Calibration date").fill("2026-03-02")
    page.get_by_label("Measured deviation").fill("12")  # out of range first: the server refuses
    page.get_by_label("Result").select_option("Pass")
    page.get_by_label("Visual").check()
    page.get_by_label("Calibration certificate").set_input_files(str(certificate))
    page.get_by_role("button", name="Submit (locks the record)").click()
    expect(page.locator("#main")).to_contain_text("less than or equal to 10")
    page.wait_for_load_state()  # the counts below read the whole page
    assert not Record.objects.exists()
    # The chosen certificate was kept: shown as attached, not chosen again.
    assert page.locator("#staged-files").get_by_text("Kalibrierschein MIC-01.pdf").count() == 1
    page.get_by_label("Measured deviation").fill("1.5")
    page.locator("#id_evidence").set_input_files([str(certificate)])
    page.get_by_role("button", name="Submit (locks the record)").click()
    page.wait_for_url("**/records/CAL-*/")
    record = Record.objects.get()
    assert "submitted and locked" in page.content()
    assert page.locator("#verification").inner_text() == "unverified"
    assert page.locator("#evidence").get_by_role("link", name="Kalibrierschein MIC-01.pdf").count() == 2
    _logout(page)

    login(approver)
    page.goto(record.get_absolute_url())
    page.get_by_label("Password").fill(password)
    page.get_by_label("Comment").fill("Certificate matches the instrument")
    page.get_by_role("button", name="Sign: Verified").click()
    page.wait_for_url(f"**{record.get_absolute_url()}")
    assert "verified and signed" in page.content()
    _logout(page)

    login(quality_manager)
    page.goto("/records/?verified=yes")
    page.get_by_role("link", name=record.number).click()
    assert page.locator("#verification").inner_text().startswith("Verified")
    assert "Priya Shah" in page.locator("#verification").inner_text()
    assert page.locator("table.table-sm").filter(has_text="Signed by").get_by_text("valid").first.is_visible()
    record.refresh_from_db()
    assert record.verified_by == approver and record.evidence.count() == 2


def test_quality_manager_builds_a_form_in_the_browser(page, login, quality_manager):
    make_type("GAU", name="Gauge check", fields=[
        {"key": "gauge", "label": "Gauge", "type": "text", "required": True},
        {"key": "old_note", "label": "Old note", "type": "text", "required": False},
    ])
    login(quality_manager)
    page.goto("/records/types/GAU/fields/")
    rows = page.locator("[data-rows] [data-row]:visible")
    # remove the blank extra row and the old note, add a number field, move it to the top
    rows.nth(2).get_by_role("button", name="Remove").click()
    rows.nth(1).get_by_role("button", name="Remove").click()
    page.get_by_role("button", name="Add field").click()
    new = page.locator("[data-rows] [data-row]:visible").last
    new.get_by_label("Label").fill("Reading")
    new.get_by_label("Field type").select_option("number")
    assert new.get_by_label("Unit").is_visible() and not new.get_by_label("Choices (one per line)").is_visible()
    new.get_by_label("Minimum").fill("0")
    new.get_by_label("Unit").fill("mm")
    new.get_by_label("Required").check()
    new.get_by_role("button", name="Move up").click()
    page.get_by_role("button", name="Save as new version").click()
    page.wait_for_url("**/records/types/GAU/")
    v2 = FormVersion.objects.get(record_type__code="GAU", version=2)
    assert [(f["key"], f["type"]) for f in v2.fields] == [("reading", "number"), ("gauge", "text")]
    assert v2.fields[0]["unit"] == "mm" and v2.fields[0]["required"] is True
    assert "Reading" in page.locator("#current-fields").inner_text()


def test_dropping_several_files_on_the_dropzone_attaches_them(page, login, staff, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    make_type("CAL", name="Calibration record", fields=CAL_FIELDS)
    login(staff)
    page.goto("/records/new/CAL/")
    page.get_by_label("Instrument ID").fill("MIC-02")
    # What a drag from the file manager delivers: a drop event carrying files.
    page.evaluate("""(pdf64) => {
        const dt = new DataTransfer();
        dt.items.add(new File([Uint8Array.from(atob(pdf64), (c) => c.charCodeAt(0))], "one.pdf", {type: "application/pdf"}));
        dt.items.add(new File(["plain notes"], "two.txt", {type: "text/plain"}));
        document.querySelector('[data-dropzone="id_evidence"]').dispatchEvent(
            new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", base64.b64encode(blank_pdf()).decode())
    assert page.locator("[data-dropzone-list] li").count() == 2
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/records/CAL-*/")
    record = Record.objects.get()
    assert record.status == "draft"
    assert sorted(record.evidence.values_list("original_name", flat=True)) == ["one.pdf", "two.txt"]
