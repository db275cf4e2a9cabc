"""Browser: the quality manager imports documents — upload a register and a ZIP,
read the dry-run report, run the import (progress), and finds the documents in the register."""

import pytest
from playwright.sync_api import expect

from documents.models import Document
from tests.factories import DepartmentFactory, ensure_reference_data
from tests.intake.files import csv_bytes, row, standard_set, zip_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_document_import_from_upload_through_dry_run_to_the_register(page, login, quality_manager, tmp_path):
    ensure_reference_data()
    DepartmentFactory(code="QA", name="Quality Assurance")
    rows, files = standard_set()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row(file="gone.docx")]))
    reg = tmp_path / "register.csv"
    reg.write_bytes(csv_bytes(rows))
    archive = tmp_path / "files.zip"
    archive.write_bytes(zip_of(files))
    login(quality_manager)
    page.goto("/intake/")
    page.get_by_role("link", name="Import documents").click()
    # a register with a problem: the dry run says so and offers no run
    page.get_by_label("Document register (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_label("Files (ZIP of .docx and .pdf)").set_input_files(str(archive))
    page.get_by_role("button", name="Upload and check (dry run)").click()
    page.wait_for_selector("#report")
    assert "is not in the ZIP file" in page.locator("#report").inner_text()
    assert page.locator("#start-import").count() == 0
    # the corrected register
    page.goto("/intake/documents/new/")
    page.get_by_label("Document register (CSV or XLSX)").set_input_files(str(reg))
    page.get_by_label("Files (ZIP of .docx and .pdf)").set_input_files(str(archive))
    page.get_by_role("button", name="Upload and check (dry run)").click()
    page.wait_for_selector("#report")
    assert "create document SOP-QA-007, revision 00" in page.locator("#report").inner_text()
    assert page.locator("#problem-count").inner_text() == "0"
    assert not Document.objects.exists()
    page.locator("#start-import").click()
    # the job's status polls itself and loads the page again when the import has ended: no reload by hand
    page.wait_for_selector("#created", timeout=60000)
    assert "2 documents, 4 revisions" in page.locator("#created").inner_text()
    page.get_by_role("link", name="Document register").click()
    page.wait_for_url("**/documents/**")
    body = page.locator("body").inner_text()
    assert "SOP-QA-007" in body and "WI-QA-002" in body
    page.get_by_role("link", name="SOP-QA-007").first.click()
    # the body exists before the page has been parsed to its end: wait for the text, not the element
    expect(page.locator("#main")).to_contain_text("Approved outside this system")
