"""Browser: every main page works under the Content-Security-Policy.

Chromium reports each blocked script, style, frame or image as a
`securitypolicyviolation` event; none may fire on the pages each role opens,
and the htmx interactions (live Markdown preview, register filters) still work.
"""

import pytest
from django.contrib.auth.models import Group

from qms.permissions import Role
from tests.documents.factories import doc_type, make_effective
from tests.factories import DepartmentFactory
from tests.records.factories import make_record, make_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' @' + e.sourceFile + ':' + e.lineNumber);
});
"""
PAGES = {
    "quality manager": ["/", "/documents/", "/documents/new/", "/documents/manual/", "/records/", "/records/new/",
                        "/records/types/", "/records/types/CAL/", "/audits/", "/audits/programmes/",
                        "/audits/calendar/", "/capa/", "/clauses/", "/clauses/7.1.5/", "/auditor/access/",
                        "/auditor/requests/", "/auditor/packs/", "/auditor/packs/verify/", "/trail/export/",
                        "/notifications/", "/help/", "/help/quality-manager-guide.md"],
    "staff": ["/", "/documents/", "/records/", "/records/new/CAL/"],
}


@pytest.fixture
def reference_data(db):
    for name in Role.ALL:  # a transactional test before this one flushed the seeded rows
        Group.objects.get_or_create(name=name)
    for code in ("SOP", "FRM"):
        doc_type(code)
    DepartmentFactory(code="PRD", name="Production")


def _violations(page):
    return page.evaluate("window.__csp || []")


def _visit(page, path):
    response = page.goto(path)
    assert response.status == 200, path
    assert "content-security-policy" in {k.lower() for k in response.headers}, path
    page.wait_for_load_state("networkidle")
    return _violations(page)


def test_main_pages_raise_no_csp_violation(reference_data, page, login, quality_manager, staff, author, approver):
    page.context.add_init_script(WATCH)
    document = make_effective(author, approver)
    record_type = make_type("CAL")
    make_record(staff, record_type)
    found = {}
    login(quality_manager)
    for path in [*PAGES["quality manager"], document.get_absolute_url()]:
        if v := _visit(page, path):
            found[path] = v
    page.context.clear_cookies()
    login(staff)
    for path in PAGES["staff"]:
        if v := _visit(page, path):
            found[f"staff {path}"] = v
    assert found == {}


def test_htmx_live_preview_and_filters_work_under_the_policy(reference_data, page, login, author, approver):
    page.context.add_init_script(WATCH)
    make_effective(author, approver, title="Deburring of housings")
    login(author)
    page.goto("/documents/new/")
    page.locator("#id_content").fill("# Title\n\nRemove **all** burrs.")
    page.locator("#md-preview").locator("strong", has_text="all").wait_for()
    page.goto("/documents/")
    search = page.locator("input[name=q]").first
    search.fill("Deburring")
    search.press("Enter")
    page.get_by_text("Deburring of housings").first.wait_for()
    assert _violations(page) == []
