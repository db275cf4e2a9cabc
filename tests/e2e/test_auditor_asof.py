"""Browser: an internal auditor opens a document, follows "As of a date…",
picks a date between two revisions and sees the bannered past view with the
revision in force then; then switches to the records as they stood."""

import os

import pytest
from django.contrib.auth.models import Group
from freezegun import freeze_time
from playwright.sync_api import expect

from qms.permissions import Role
from tests.documents.factories import make_effective, new_revision
from tests.records.factories import make_record, make_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _roles(db):
    # A transactional test before this one may have flushed the seeded groups.
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)


def test_auditor_browses_a_document_and_records_as_of_a_date(page, login, auditor, author, approver, staff):
    with freeze_time("2026-03-10 09:00", tick=True):
        doc = make_effective(author, approver, title="Gauge calibration", content="# Purpose\nMonthly calibration.")
        rec = make_record(staff, make_type("CAL", verification_required=False))
    with freeze_time("2026-06-15 09:00", tick=True):
        new_revision(author, approver, doc, content="# Purpose\nYearly calibration.")

    login(auditor)
    page.goto(f"/documents/{doc.number}/")
    page.get_by_role("link", name="As of a date…").click()
    page.get_by_label("As it stood on (end of day, UTC)").fill("2026-04-30")
    page.get_by_role("button", name="Show").click()
    banner = page.locator(".past-view-banner")
    assert "Past view: as it stood on 2026-04-30, end of day UTC" in banner.inner_text()
    assert "Monthly calibration." in page.locator(".doc-content").inner_text()
    page.wait_for_load_state()  # a missing word is only proof once the whole page is there
    assert "Yearly" not in page.content()
    if os.environ.get("QMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["QMS_SCREENSHOTS"], "asof_document.png"), full_page=True)

    # A future date is a form error on the page, not a crash; a date outside the
    # window every date field has (qms.dates) says the window.
    from datetime import timedelta

    from django.utils import timezone

    next_year = (timezone.localdate() + timedelta(days=365)).isoformat()
    page.get_by_label("As it stood on (end of day, UTC)").fill(next_year)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#main")).to_contain_text("the future has no history yet")
    page.goto(page.url.split("?")[0] + "?on=2999-01-01")
    assert "The date must be between 1990-01-01" in page.content()

    page.goto("/auditor/asof/record-register/?on=2026-04-30")
    page.get_by_role("link", name=rec.number).click()
    assert "Past view" in page.locator(".past-view-banner").inner_text()
    assert "MIC-01" in page.locator("#asof-values").inner_text()
    if os.environ.get("QMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["QMS_SCREENSHOTS"], "asof_record.png"), full_page=True)
    page.get_by_role("link", name="See the current view").click()
    page.wait_for_url(f"**/records/{rec.number}/")
