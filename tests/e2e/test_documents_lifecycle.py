"""Browser: an author drafts an SOP with a live preview, routes it to an approver,
the approver signs, the SOP is effective, and a staff member acknowledges it."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from documents.models import Acknowledgement, Document, Revision
from qms.models import Signature
from qms.permissions import Role
from tests.documents.factories import TYPES, doc_type
from tests.factories import DepartmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(db):
    for name in Role.ALL:  # a transactional test before this one flushed the seeded rows
        Group.objects.get_or_create(name=name)
    for code in TYPES:
        doc_type(code)
    DepartmentFactory(code="PRD", name="Production")


def logout(page):
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")


def test_author_drafts_approver_signs_staff_acknowledges(reference_data, page, login, author, approver, staff,
                                                        password):
    # The author drafts an SOP.
    login(author)
    page.goto("/documents/")
    page.get_by_role("link", name="New document").click()
    page.locator("#id_doc_type").select_option(label="SOP – Standard operating procedure")
    page.locator("#id_department").select_option(label="PRD – Production")
    page.locator("#id_title").fill("Deburring of housings")
    page.locator("#id_distribution_users").select_option(label="Sam Lee")
    page.locator("#id_content").fill("# Deburring\n\nRemove **all** burrs with the hand tool.")
    # Live preview (htmx) renders the sanitised Markdown as the author types.
    preview = page.locator("#md-preview")
    preview.locator("strong", has_text="all").wait_for()
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r"/documents/SOP-PRD-001/rev/1/$"))
    assert page.get_by_text("SOP-PRD-001 created as a draft.").is_visible()

    # Routes it to the approver.
    page.locator("#id_step1_kind").select_option("")
    page.locator("#id_step2_users").select_option(label="Priya Shah")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Sent for review and approval.")).to_be_visible()
    logout(page)

    # The approver finds it on the dashboard and signs.
    login(approver)
    page.goto("/")
    inbox = page.locator("#documents-to_sign, #documentsto_sign")
    inbox.get_by_role("link", name=re.compile("SOP-PRD-001 Deburring of housings")).click()
    page.get_by_label("Approve").check()
    page.get_by_label(re.compile("Significant:")).check()
    page.get_by_label("Comment").fill("Fit for use")
    page.locator("#sign").get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("Sign:")).click()
    page.wait_for_url(re.compile(r"/documents/SOP-PRD-001/$"))
    assert page.get_by_text("Your signature was recorded.").is_visible()
    assert page.locator(".status-effective").first.is_visible()
    logout(page)

    document = Document.objects.get(number="SOP-PRD-001")
    assert document.effective_revision.status == Revision.Status.EFFECTIVE

    # Staff reads it and acknowledges it.
    login(staff)
    page.goto("/documents/SOP-PRD-001/")
    assert page.get_by_text("Please read this revision and acknowledge it").is_visible()
    assert page.locator(".md-content strong", has_text="all").is_visible()
    page.locator("#acknowledge").get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign: Read and understood").click()
    expect(page.get_by_text("Thank you: your acknowledgement is recorded.")).to_be_visible()
    ack = Acknowledgement.objects.get(user=staff, revision=document.effective_revision)
    assert ack.acknowledged_at is not None and ack.signature.meaning == Signature.Meaning.READ
