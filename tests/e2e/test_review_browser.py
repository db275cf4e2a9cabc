"""Browser: the quality manager builds a management review, opens its pack
PDF, records a decision with an action and signs the minutes."""

import pytest
from playwright.sync_api import expect

from qms.models import Job
from reviews.models import ManagementReview
from tests import pdf_helpers as h
from tests.reviews.factories import make_complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    h.ensure_roles()  # before the persona fixtures give users their roles


def test_quality_manager_builds_a_review_prints_the_pack_decides_and_signs(page, login, quality_manager, staff,
                                                                             password, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    page.set_default_timeout(90000)  # without a broker the pack PDF is made during the click
    make_complaint(quality_manager, owner=staff, customer="Volta Motors")
    login(quality_manager)
    page.goto("/reviews/meetings/")
    page.get_by_role("link", name="Plan a management review").click()
    from django.utils import timezone

    today = timezone.localdate()
    page.get_by_label("Title").fill("Annual management review")
    page.get_by_label("Meeting date").fill(today.isoformat())
    page.get_by_label("Period covered from").fill(today.replace(year=today.year - 1).isoformat())
    page.get_by_label("Period covered to").fill(today.isoformat())
    page.get_by_role("button", name="Plan and compile the pack").click()
    page.get_by_text("its input pack is compiled").wait_for()
    review = ManagementReview.objects.get()

    page.get_by_role("link", name="Input pack").click()
    expect(page.get_by_role("heading", name="3. Customer satisfaction and feedback from interested parties")).to_be_visible()
    assert page.get_by_text("No data yet").first.is_visible()
    page.get_by_role("button", name="Pack PDF").click()
    page.wait_for_url("**/jobs/**")
    link = page.get_by_role("link", name=f"Download {review.number}-pack.pdf")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    assert open(info.value.path(), "rb").read()[:5] == b"%PDF-"
    assert Job.objects.get(kind="review_pack_pdf").status == Job.Status.READY

    page.goto(review.get_absolute_url())
    page.locator("#id_text").fill("Answer complaints within five days")
    page.locator("#id_action_description").fill("Set up a shared complaints inbox")
    page.locator("#id_action_owner").select_option(label=staff.display_name)
    page.locator("#id_action_due_date").fill(today.replace(year=today.year + 1).isoformat())
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Decision recorded.").wait_for()
    page.locator("#id_conclusions").fill("Suitable, adequate and effective.")
    page.get_by_role("button", name="Save conclusions").click()
    page.get_by_text("Conclusions saved.").wait_for()

    page.locator(".signature-form #id_password").fill(password)
    page.get_by_role("button", name="Sign: Approved").click()
    page.get_by_text("approved and locked").first.wait_for()
    review.refresh_from_db()
    assert review.locked and review.decisions.get().action_owner == staff
    assert page.get_by_role("button", name="Record decision").count() == 0
