"""One search box (issue 18.2): /search/?q= finds documents, records, audits,
findings, CAPAs and evidence requests, grouped with counts, with snippets of
rendered text (no Markdown source, no split word, escaped), filters by kind
and date, within every rule and the external auditor's scope; bad input gets
a form error; the query count does not grow with the hits."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auditor import services as auditor
from audits import services as audits
from qms import search
from qms.models import Clause
from tests.audits.factories import make_process
from tests.documents.factories import make_draft, make_effective
from tests.records.factories import make_record, make_type

pytestmark = pytest.mark.django_db


def test_groups_counts_and_rendered_snippets(author, approver, quality_manager, staff, client_for):
    make_effective(author, approver, title="Torque wrench use",
                   content="# Purpose\n\nSet the **torque** wrench before each shift. <script>x</script>")
    make_draft(author, title="Torque draft")  # a draft: the QM may see it, staff may not
    make_record(staff, make_type("TRQ", verification_required=False),
                values={"instrument": "TQ-7 torque", "deviation": "1", "cal_date": "2026-03-01", "result": "Pass"})
    audits.capa_raise(actor=quality_manager, source="process", title="Torque too low",
                      description="Bolts found loose", severity="minor", owner=staff)
    html = client_for(quality_manager).get("/search/?q=torque").content.decode()
    assert 'id="kind-documents"' in html and 'id="kind-records"' in html and 'id="kind-capas"' in html
    assert "Torque wrench use" in html and "Torque draft" in html
    assert "<mark>torque</mark>" in html  # marked, in the rendered text
    assert "**" not in html and "# Purpose" not in html and "<script>x" not in html
    staff_html = client_for(staff).get("/search/?q=torque").content.decode()
    assert "Torque draft" not in staff_html and "Torque wrench use" in staff_html


def test_snippet_never_splits_a_word():
    text = "alpha " * 60 + "calibration beta gamma " + "delta " * 80
    snip = str(search.highlight(text, "calibration", width=60))
    assert "<mark>calibration</mark>" in snip
    inner = snip.replace("… ", "").replace(" …", "").replace("<mark>", "").replace("</mark>", "")
    assert all(w in {"alpha", "calibration", "beta", "gamma", "delta"} for w in inner.split())


def test_kind_and_date_filters_and_bad_input(author, approver, quality_manager, client_for):
    make_effective(author, approver, title="Gauge handling")
    c = client_for(quality_manager)
    only = c.get("/search/?q=gauge&kind=documents").content.decode()
    assert "Gauge handling" in only and 'id="kind-records"' not in only
    future = c.get("/search/?q=gauge&since=2099-01-01").content.decode()
    assert "Gauge handling" not in future
    bad = c.get("/search/?q=gauge&since=2026-05-01&until=2026-01-01")
    assert bad.status_code == 200 and "before its start" in bad.content.decode()
    assert c.get("/search/?q=gauge&kind=nosuchkind").status_code == 200
    assert c.get("/search/?q=gauge&since=not-a-date").status_code == 200
    assert c.get("/search/?q=" + "x" * 5000).status_code == 200


def test_the_external_auditor_finds_only_their_scope(author, approver, external_auditor, quality_manager, client_for):
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="8.5")])
    make_effective(author, approver, title="Press set-up inscope", clauses=[Clause.objects.get(number="8.5.1")])
    make_effective(author, approver, title="Hiring outscope", clauses=[Clause.objects.get(number="7.2")])
    audits.capa_raise(actor=quality_manager, source="process", title="Hiring outscope gap", description="x",
                      severity="minor", owner=quality_manager, clause=Clause.objects.get(number="7.2"))
    auditor.request_evidence(actor=external_auditor, subject="Show the outscope things")
    html = client_for(external_auditor).get("/search/?q=inscope OR outscope").content.decode()
    assert "Press set-up inscope" in html
    assert "Hiring outscope" not in html.replace("Show the outscope things", "")


def test_query_count_is_flat_in_hits(author, approver, quality_manager, staff, client_for, django_assert_max_num_queries):
    make_process(code="PRD", name="Production", dept_code="PRD")
    make_effective(author, approver, title="Widget one")
    audits.capa_raise(actor=quality_manager, source="process", title="Widget CAPA", description="x",
                      severity="minor", owner=staff)
    c = client_for(quality_manager)
    c.get("/search/?q=widget")
    with CaptureQueriesContext(connection) as one:
        c.get("/search/?q=widget")
    for i in range(6):
        make_effective(author, approver, title=f"Widget {i}")
        audits.capa_raise(actor=quality_manager, source="process", title=f"Widget CAPA {i}", description="x",
                          severity="minor", owner=staff)
    with django_assert_max_num_queries(len(one)):
        assert c.get("/search/?q=widget").status_code == 200


def test_each_kind_counts_up_to_its_cap_and_says_more(author, approver, quality_manager, staff, client_for,
                                                      monkeypatch):
    """A common word is not counted to its last match (that read every match, and grew
    with the register): each kind counts up to search.COUNT_CAP and says "more than"."""
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for i in range(5):
        make_effective(author, approver, title=f"Spanner {i}")
    audits.capa_raise(actor=quality_manager, source="process", title="Spanner CAPA", description="x",
                      severity="minor", owner=staff)
    c = client_for(quality_manager)
    with CaptureQueriesContext(connection) as ctx:
        html = c.get("/search/?q=spanner").content.decode()
    assert "More than 4 results for “spanner”" in html  # 3+ documents and 1 CAPA
    assert '<span class="badge text-bg-secondary">3+</span>' in html
    assert "More than 3 documents" in html
    assert '<span class="badge text-bg-secondary">1</span>' in html  # the CAPAs are not capped
    counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")
              and "documents_document" in q["sql"]]
    assert counts and all("LIMIT 4" in sql for sql in counts)
    only = c.get("/search/?q=spanner&kind=documents").content.decode()
    assert all(f"Spanner {i}" in only for i in range(5))  # the hits are not capped, only the count
