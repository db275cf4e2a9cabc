"""Browser (issue 18, must hold): the quality manager's home shows the task cards
at once and the charts follow (htmx, after the page): each chart is a picture
that decodes to a non-empty SVG, and its table fallback holds the numbers of its
CSV export."""

import base64
import csv
import io

import pytest
from django.contrib.auth.models import Group

from audits import services as audits
from qms.permissions import Role
from tests.documents.factories import make_draft, make_effective

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _roles(db):
    # A transactional test before this one may have flushed the seeded groups.
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)


def test_the_charts_load_after_the_page_and_their_tables_match_the_export(page, login, quality_manager, author,
                                                                         approver, staff, client_for):
    make_effective(author, approver, title="Calibration procedure")
    make_effective(author, approver, title="Supplier evaluation")
    make_draft(author, title="Draft work instruction")
    audits.capa_raise(actor=quality_manager, source="process", title="Torque drift", description="x",
                      severity="minor", owner=staff)

    login(quality_manager)
    page.goto("/")
    assert page.get_by_role("heading", name="My tasks").is_visible()
    figure = page.locator("#chart-documentsby_status figure")
    figure.wait_for()  # swapped in by htmx once the page has loaded
    assert page.locator("#dashboard-charts[aria-busy]").count() == 0  # the placeholder is gone
    assert page.locator("#dashboard-charts figure.qms-chart").count() >= 6

    src = figure.locator("img").get_attribute("src")
    assert src.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(src.split(",", 1)[1]).decode()
    assert "<svg" in svg and svg.count("<rect") + svg.count("<path") > 3
    assert figure.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")  # Chromium drew it

    figure.locator("summary").click()  # the table fallback
    rows = [[cell.strip() for cell in row.locator("th, td").all_text_contents()]
            for row in figure.locator("tbody tr").all()]
    export = client_for(quality_manager).get("/charts/documents.by_status/export/?format=csv")
    exported = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))[1:]
    assert rows == exported
    assert ["Effective", "2"] in rows and ["Draft", "1"] in rows

    figure.locator("img").click()  # each chart links to the list behind it
    page.wait_for_url("**/documents/")
