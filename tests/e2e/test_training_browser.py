"""Browser: a significant revision of an SOP becomes effective → the operator's
matrix cell turns "out of date" → the operator acknowledges the new revision →
the cell is current again (the read-and-understood task is the training task)."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from documents import services as doc_services
from qms.permissions import Role
from tests.documents.factories import TYPES, doc_type, make_effective, new_revision
from tests.factories import PASSWORD, DepartmentFactory
from tests.training.factories import make_competence, make_person, make_role
from training.models import Competence

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


def _cell(page, person):
    return page.locator(f'#training-matrix tr[data-person="{person.pk}"] .matrix-cell').first


def test_significant_revision_puts_the_operator_out_of_date_until_they_acknowledge(
        reference_data, page, login, quality_manager, author, approver, staff):
    sop = make_effective(author, approver, title="Deburring of housings", content="# Deburr\nHand tool.")
    comp = make_competence(quality_manager, "R-DEB", kind=Competence.Kind.READ, documents=[sop],
                           name="Deburring procedure (read)")
    operator = make_person(quality_manager, "Sam Lee", roles=[make_role(quality_manager, "CNC", [comp])], user=staff)
    doc_services.acknowledge(actor=staff, document=sop, password=PASSWORD)

    login(quality_manager)
    page.goto("/training/matrix/")
    assert "status-current" in _cell(page, operator).get_attribute("class")

    new_revision(author, approver, sop, content="# Deburr\nUse the new deburring station.")  # significant, effective now
    page.goto("/training/matrix/")
    assert "status-out_of_date" in _cell(page, operator).get_attribute("class")
    page.goto(f"/documents/{sop.number}/")
    assert "1 of 1 holders out of date" in page.locator("#training-out-of-date").inner_text()
    logout(page)

    login(staff)
    page.goto(f"/documents/{sop.number}/")
    page.locator("#acknowledge").get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign: Read and understood").click()
    expect(page.get_by_text("Thank you: your acknowledgement is recorded.")).to_be_visible()
    page.goto("/training/mine/")
    assert "Current" in page.locator('#qualifications tr[data-competence="R-DEB"]').inner_text()
    logout(page)

    login(quality_manager)
    page.goto("/training/matrix/")
    assert "status-current" in _cell(page, operator).get_attribute("class")
