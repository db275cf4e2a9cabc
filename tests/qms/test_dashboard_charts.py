"""The quality manager's charts (issue 18.1): drawn on the dashboard as SVG with
a table fallback holding the same numbers as the CSV export (one function feeds
all three), each linking to its list; not for staff or a scoped auditor; the
query count does not grow with the rows."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits import services as audits
from qms import dashboard
from tests.documents.factories import make_draft, make_effective
from tests.records.factories import make_record, make_type

pytestmark = pytest.mark.django_db


def _table(html: str, key: str) -> list[list[str]]:
    block = re.search(rf'id="chart-{re.escape(key.replace(".", ""))}".*?</figure>', html, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", block, re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in rows[1:]]


def test_charts_render_with_tables_that_match_the_export(author, approver, quality_manager, staff, client_for):
    make_effective(author, approver, title="One")
    make_draft(author, title="Two")
    audits.capa_raise(actor=quality_manager, source="process", title="Late", description="x", severity="minor",
                      owner=staff)
    c = client_for(quality_manager)
    home = c.get("/").content.decode()
    # The home page names the section and fetches the charts after it (htmx, on load) ...
    assert "Quality at a glance" in home and 'hx-get="/charts/" hx-trigger="load"' in home
    assert "data:image/svg+xml" not in home
    # ... from /charts/: a fragment for htmx, a page of its own without JavaScript (the <noscript> link).
    html = c.get("/charts/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in html and html.lstrip().startswith('<div class="row g-3" id="dashboard-charts">')
    page = c.get("/charts/").content.decode()
    assert "<html" in page and '<h1 class="h3 mb-3" id="at-a-glance">' in page and 'id="chart-documentsby_status"' in page
    for key in ("documents.by_status", "capa.open_by_age", "capa.by_source", "records.per_week",
                "audits.findings_by_class", "auditor.readiness"):
        assert f'id="chart-{key.replace(".", "")}"' in html, key
    assert html.count('src="data:image/svg+xml;base64,') >= 6
    table = _table(html, "documents.by_status")
    assert ["Effective", "1"] in table and ["Draft", "1"] in table
    export = c.get("/charts/documents.by_status/export/?format=csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["", "Documents"] or rows[0][1:] == ["Documents"]
    assert [r for r in rows[1:]] == table
    assert c.get("/charts/capa.open_by_age/export/?format=xlsx").status_code == 200
    assert 'href="/documents/"' in html  # the list behind it


def test_not_for_staff_nor_a_scoped_auditor(staff, external_auditor, client_for):
    assert "Quality at a glance" not in client_for(staff).get("/").content.decode()
    assert client_for(staff).get("/charts/", headers={"HX-Request": "true"}).status_code == 403
    assert client_for(staff).get("/charts/documents.by_status/export/").status_code == 403
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    assert client_for(external_auditor).get("/charts/capa.by_source/export/").status_code == 403
    assert client_for(staff).get("/charts/no.such.chart/export/").status_code == 404


def test_the_readiness_map_has_its_chart(quality_manager, client_for):
    html = client_for(quality_manager).get("/clauses/").content.decode()
    assert "ISO 9001 readiness by clause group" in html and "Clause 4" in html


def test_chart_queries_are_flat(author, approver, quality_manager, staff, django_assert_max_num_queries):
    rtype = make_type("CHT", verification_required=False)
    make_record(staff, rtype)
    with CaptureQueriesContext(connection) as one:
        dashboard.charts_for(quality_manager)
    for i in range(5):
        make_record(staff, rtype)
        make_effective(author, approver, title=f"Doc {i}")
        audits.capa_raise(actor=quality_manager, source="process", title=f"C{i}", description="x",
                          severity="minor", owner=staff)
    with django_assert_max_num_queries(len(one)):
        dashboard.charts_for(quality_manager)
