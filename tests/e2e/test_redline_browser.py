"""Browser: a staff member whose read task asks for a new revision opens "what changed
since the revision I acknowledged" from the dashboard, sees the redline, jumps to a
changed section and acknowledges from there."""

import re

import pytest

from documents import services
from documents.models import Acknowledgement
from qms.models import Signature
from tests.documents.factories import TYPES, doc_type, make_effective, new_revision
from tests.factories import ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(db):
    ensure_reference_data()  # a transactional test before this one flushed the seeded rows
    for code in TYPES:
        doc_type(code)


def test_staff_open_the_redline_from_their_read_task_and_acknowledge(reference_data, page, login, author, approver,
                                                                     staff, password):
    doc = make_effective(author, approver, title="Deburring of housings",
                         content="# Scope\n\nAll housings.\n\n# Method\n\nRemove burrs with the hand tool.",
                         distribution_users=[staff])
    services.acknowledge(actor=staff, document=doc, password=password)
    rev2 = new_revision(author, approver, doc,
                        content="# Scope\n\nAll housings.\n\n# Method\n\nRemove burrs with the deburring tool.")

    login(staff)
    page.goto("/")
    task = page.get_by_role("link", name=re.compile(f"{doc.number} Deburring of housings"))
    task.click()
    page.wait_for_url(re.compile(rf"/documents/{doc.number}/compare/\?since=acknowledged&b={rev2.seq}$"))
    assert page.get_by_text("the one you last acknowledged").is_visible()
    redline = page.locator(".redline")
    assert redline.locator("ins", has_text="deburring").is_visible()
    assert redline.locator("del", has_text="hand").is_visible()
    # The changed section is listed by its heading and its link jumps to it.
    page.locator("#changed-sections").get_by_role("link", name="Method").click()
    page.wait_for_url(re.compile(r"#sec-2$"))
    assert page.locator("#sec-2").is_visible()
    # Side by side as well.
    page.locator("#cmp-mode").select_option("side")
    page.get_by_role("button", name="Compare").click()
    # The click starts a navigation: wait for the new page (is_visible() does not wait; CI once asked too early).
    page.wait_for_url(re.compile(r"[?&]mode=side"))
    page.locator(".redline-side del", has_text="hand").wait_for()
    assert page.locator(".redline-side del", has_text="hand").is_visible()
    assert page.locator(".redline-side ins", has_text="deburring").is_visible()
    # Acknowledge from the redline.
    page.locator("#acknowledge").get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign: Read and understood").click()
    page.get_by_text("Thank you: your acknowledgement is recorded.").wait_for()
    ack = Acknowledgement.objects.get(user=staff, revision=rev2)
    assert ack.acknowledged_at is not None and ack.signature.meaning == Signature.Meaning.READ
