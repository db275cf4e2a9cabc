"""Browser: the quality manager builds the quality manual and downloads it;
someone holding a printout checks it on the public verification page."""

import hashlib

import pytest

from documents import renditions
from documents.models import ManualBuild
from tests import pdf_helpers as h

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    h.ensure_roles()  # before the persona fixtures give users their roles


def test_quality_manager_builds_and_downloads_the_manual(page, login, quality_manager, author):
    h.revision(h.document(owner=author, number="SOP-QA-001", title="Document control"))
    login(quality_manager)
    page.goto("/documents/manual/")
    page.get_by_role("button", name="Build the quality manual now").click()
    page.wait_for_url("**/jobs/**")
    download_link = page.get_by_role("link", name="Download quality-manual-rev-1.pdf")
    download_link.wait_for()
    with page.expect_download() as info:
        download_link.click()
    content = open(info.value.path(), "rb").read()
    assert hashlib.sha256(content).hexdigest() == ManualBuild.objects.get().sha256
    page.goto("/documents/manual/")
    assert page.get_by_role("cell", name="1", exact=True).first.is_visible()


def test_printout_holder_checks_the_revision_without_logging_in(page, author):
    rev = h.revision(h.document(owner=author, number="SOP-QA-002", title="Calibration"))
    page.goto(f"/verify/{renditions.verification_for(rev).token}/")
    assert "Current." in page.locator("#currency").inner_text()
    assert page.get_by_text("SOP-QA-002").is_visible()
