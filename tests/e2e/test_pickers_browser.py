"""Browser: a searchable select (issue 18.7). The quality manager types part of a
name into the approval route's "People" box, the server offers matching people
(/pick/users/), and the one picked is submitted with the form."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from documents.models import RouteStep
from qms.permissions import Role
from tests.documents.factories import make_draft
from tests.e2e.picker import choose
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(db):
    for name in Role.ALL:  # a transactional test before this one flushed the seeded rows
        Group.objects.get_or_create(name=name)


def test_typing_part_of_a_name_offers_the_person_and_picks_them(reference_data, page, login, author, settings):
    settings.PICKER_INLINE_MAX = 5  # fewer listed in the page than there are people: the rest come from the server
    for i in range(12):
        UserFactory(full_name=f"Filler Person {i:02}", roles=[Role.APPROVER])
    wanted = UserFactory(full_name="Zelda Quist", roles=[Role.APPROVER])
    draft = make_draft(author, title="Deburring of housings")
    login(author)
    page.goto(draft.latest_revision.get_absolute_url())
    select = page.locator("#id_step2_users")
    assert select.locator("option", has_text="Zelda Quist").count() == 0  # not in the page: found by searching
    box = page.locator("#id_step2_users + .ts-wrapper")
    box.locator(".ts-control input").fill("zeld")
    offered = box.locator(".ts-dropdown .option", has_text="Zelda Quist")
    offered.wait_for()
    assert box.locator(".ts-dropdown .option").count() == 1
    offered.click()
    page.keyboard.press("Escape")
    assert box.locator(".item", has_text="Zelda Quist").is_visible()
    page.locator("#id_step1_kind").select_option("")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Sent for review and approval.")).to_be_visible()
    step = RouteStep.objects.get(revision=draft.latest_revision, kind=RouteStep.Kind.APPROVE)
    assert [s.user for s in step.signers.all()] == [wanted]


def test_a_small_list_filters_in_place(reference_data, page, login, author, staff):
    login(author)
    page.goto("/documents/new/")
    choose(page, "#id_distribution_users", "sam", option="Sam Lee")
    assert page.locator("#id_distribution_users option:checked").all_inner_texts() == ["Sam Lee"]
    assert re.search("Sam Lee", page.locator("#id_distribution_users + .ts-wrapper .ts-control").inner_text())


def test_a_single_searchable_select_looks_like_the_selects_beside_it(reference_data, page, login, quality_manager):
    """Issue 18: the owner and clause pickers had lost their border and caret (our CSS took
    them off the wrapper, the theme off the inner box), so they read as plain text."""
    login(quality_manager)
    page.goto("/capa/new/")
    picker = page.locator("#id_owner + .ts-wrapper")
    expect(picker).to_be_visible()

    def looks(locator):
        return locator.evaluate("e => { const s = getComputedStyle(e); "
                                "return [s.borderTopWidth, s.borderTopStyle, s.backgroundImage !== 'none']; }")

    plain = looks(page.locator("#id_severity"))  # a plain Bootstrap select
    assert plain[0] != "0px" and plain[1] == "solid" and plain[2]
    assert looks(picker) == plain
