"""Browser: every main page is usable on a phone (issue 18.8). At 390×844 no
page scrolls sideways: wide tables scroll inside their own wrapper, filter
forms fold away, grids wrap. The pages are the navigation's (the fixed links,
the apps' menus of qms/nav.py, the certification menu) and the key detail
pages, for the quality manager, staff and an external auditor."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from qms import nav
from qms.permissions import Role
from tests.auditor import scope_world
from tests.documents.factories import new_revision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
FIXED = ["/", "/documents/", "/records/", "/audits/", "/clauses/", "/capa/", "/notifications/", "/search/?q=press",
         "/documents/new/", "/records/new/", "/audits/programmes/", "/audits/calendar/", "/auditor/requests/",
         "/auditor/access/", "/auditor/packs/", "/auditor/asof/", "/help/"]
OVERFLOW = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def world(db, quality_manager, author, approver, staff, auditor, external_auditor):
    for name in Role.ALL:  # a transactional test before this one flushed the seeded rows
        Group.objects.get_or_create(name=name)
    w = scope_world.build(quality_manager=quality_manager, author=author, approver=approver, staff=staff,
                          auditor=auditor, external_auditor=external_auditor)
    new_revision(author, approver, w["in"]["doc"], content="# Purpose\nSet the press. Check the guard every shift.")
    return w


def _pages(user, w):
    pages = [*FIXED, *(e.url for m in nav.menus_for(user) for e in m.entries)]
    inside = w["in"]
    doc = inside["doc"]
    pages += [doc.get_absolute_url(), f"{doc.get_absolute_url()}compare/", f"{doc.get_absolute_url()}compare/?mode=inline",
              doc.latest_revision.get_absolute_url(), inside["rec"].get_absolute_url(),
              inside["audit"].get_absolute_url(), inside["capa"].get_absolute_url(),
              w["programme"].get_absolute_url(), "/clauses/8.5.1/"]
    return list(dict.fromkeys(pages))


def _overflowing(page, user, w):
    wide = {}
    for path in _pages(user, w):
        response = page.goto(path)
        if response is None or response.status != 200 or "html" not in response.headers.get("content-type", ""):
            continue  # a page this role may not open (or a download)
        scroll, inner = page.evaluate(OVERFLOW)
        if scroll > inner:
            wide[path] = scroll
    return wide


def test_no_main_page_scrolls_sideways_on_a_phone(world, browser, live_server, quality_manager, staff,
                                                  external_auditor, password):
    found = {}
    for user in (quality_manager, staff, external_auditor):
        context = browser.new_context(base_url=live_server.url, viewport=PHONE, device_scale_factor=1)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto("/accounts/login/")
        page.get_by_label("User name").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        for path, width in _overflowing(page, user, world).items():
            found[f"{user.username} {path}"] = width
        if user == quality_manager:
            # The document register's filters fold away on a phone; the summary opens them.
            page.goto("/documents/")
            assert not page.locator("#id_q").is_visible()
            page.locator("details.filter-fold > summary").click()
            expect(page.locator("#id_q")).to_be_visible()
        context.close()
    assert found == {}, "pages wider than 390 px: " + ", ".join(f"{k} ({v} px)" for k, v in found.items())
