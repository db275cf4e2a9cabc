"""The quality manager's home dashboard, uncached (issue 18, "< 60 ms"): every
section and chart from a fixed number of queries, the same with one row in
each register as with a dozen (sections sample a queue and carry its total in
the same query; chart series are one grouped query each; each register's
readiness evidence is one aggregate), and the numbers it shows are right."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from auditor import readiness
from audits import services as audits
from qms import dashboard
from records import services as records
from tests.audits.factories import make_audit, make_process
from tests.documents.factories import make_draft, make_effective
from tests.equipment.factories import make_instrument
from tests.factories import PASSWORD
from tests.planning.factories import make_risk
from tests.records.factories import make_record, make_type
from tests.reviews.factories import make_complaint, make_survey
from tests.suppliers.factories import approved_supplier

pytestmark = pytest.mark.django_db

# The QM's dashboard at the time of writing: its task sections in 31 queries and
# its charts, fetched after the page, in 30 (56 in one page before, 83 before
# that); each request counts the session, the user, their roles and the badge.
QM_DASHBOARD_QUERIES = 31
QM_CHARTS_QUERIES = 30


class World:
    """A bit of everything the quality manager's dashboard counts, `n` of each per call."""

    def __init__(self, qm, author, approver, staff, auditor):
        self.qm, self.author, self.approver, self.staff, self.auditor = qm, author, approver, staff, auditor
        self.rtype = make_type("DSH", verification_required=True)
        self.process = make_process(owner=author)
        self.rounds = 0

    def add(self, n: int) -> None:
        self.rounds += 1
        tag = f"R{self.rounds}-"
        qm = self.qm
        for i in range(n):
            make_effective(self.author, self.approver, title=f"{tag}Effective {i}")
            make_draft(self.author, title=f"{tag}Draft {i}")
            make_record(self.staff, self.rtype)  # waits for the QM's verification
            make_record(qm, self.rtype, submit=False)  # the QM's own draft
            audits.capa_raise(actor=qm, source="process", title=f"{tag}CAPA {i}", description="x", severity="minor",
                              owner=self.staff)
            make_audit(qm, self.auditor, self.process, auditees=[qm])
            make_risk(qm, title=f"{tag}Risk {i}", reassess_on=timezone.localdate() + timedelta(days=3))
            make_complaint(qm, customer=f"{tag}Customer {i}")
            make_instrument(qm, code=f"{tag}MIC-{i}", calibrated_days_ago=400)  # 12-month interval: overdue
            approved_supplier(qm, name=f"{tag}Supplier {i}")
        make_survey(qm, title=f"{tag}Survey")


@pytest.fixture
def world(quality_manager, author, approver, staff, auditor):
    return World(quality_manager, author, approver, staff, auditor)


def _count(client, url, headers=None) -> int:
    with override_settings(DASHBOARD_CACHE_SECONDS=0), CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    assert b"Quality at a glance" in response.content or b'id="chart-documentsby_status"' in response.content
    return len(ctx.captured_queries)


HTMX = {"HX-Request": "true"}


def test_the_quality_managers_dashboard_runs_a_fixed_number_of_queries(world, quality_manager, client_for,
                                                                        django_assert_max_num_queries):
    """The home page (its task sections) and its charts (fetched after it by htmx), each a fixed number."""
    client = client_for(quality_manager)
    world.add(1)
    client.get("/")  # warm: a session's last-seen mark is written at most every few minutes
    few = (_count(client, "/"), _count(client, "/charts/", HTMX))
    world.add(11)  # more than any section's sample (5, 8 or 10 rows)
    with override_settings(DASHBOARD_CACHE_SECONDS=0), django_assert_max_num_queries(QM_DASHBOARD_QUERIES):
        client.get("/")
    with override_settings(DASHBOARD_CACHE_SECONDS=0), django_assert_max_num_queries(QM_CHARTS_QUERIES):
        client.get("/charts/", headers=HTMX)
    assert (_count(client, "/"), _count(client, "/charts/", HTMX)) == few == (QM_DASHBOARD_QUERIES, QM_CHARTS_QUERIES)


def _sections(user):
    return {s.key: s for s in dashboard.sections_for(user)}


def _chart(user, key):
    return next(d.chart for d in dashboard.charts_for(user) if d.spec.key == key)


def test_the_numbers_shown_are_right(world, quality_manager, staff, client_for):
    world.add(7)
    qm = quality_manager
    sections = _sections(qm)

    to_verify = sections["records.to_verify"]
    assert to_verify.total == 7 and len(to_verify.items) == 5  # a sample of the queue, and its full length
    assert sections["records.overdue_verification"].total == 0
    assert sections["records.my_drafts"].total == 7
    assert sections["capa.ageing"].total == 7
    assert [(i.label, i.meta) for i in sections["capa.ageing"].items] == [("Open under 30 days", "7")]
    assert sections["planning.reassessments"].total == 7 and len(sections["planning.reassessments"].items) == 5
    assert sections["reviews.my_complaints"].total == 7
    assert sections["equipment.overdue"].total == 7 and all(i.overdue for i in sections["equipment.overdue"].items)
    upcoming = sections["audits.upcoming"]
    assert upcoming.total == 7 and len(upcoming.items) == 7

    by_status = dict((row[0], row[1]) for row in _chart(qm, "documents.by_status").rows)
    assert by_status["Effective"] == 7 and by_status["Draft"] == 7
    assert _chart(qm, "capa.open_by_age").rows[0][1:] == [7]
    assert ["Process", 7] in _chart(qm, "capa.by_source").rows

    # Submitted and verified per week, from one grouped query: verify three of this week's records.
    for record in list(world.rtype.records.filter(status="submitted", created_by=staff))[:3]:
        records.record_verify(actor=qm, record=record, password=PASSWORD)
    per_week = _chart(qm, "records.per_week").rows
    assert per_week[-1][1:] == [7, 3]  # this week: 7 submitted, 3 of them verified
    assert all(row[1:] == [0, 0] for row in per_week[:-1])
    assert _sections(qm)["records.to_verify"].total == 4

    # Each register's readiness evidence, now one aggregate per table.
    evidence = {row[0]: row[10] for row in readiness.export_rows(readiness.readiness())}
    assert "Measuring equipment register (7)" in evidence["7.1.5.1"]
    assert "Calibration records (7)" in evidence["7.1.5.2"]
    assert "Supplier evaluations (7)" in evidence["8.4.1"]
    assert "Approved suppliers with monitored performance (7)" in evidence["8.4.2"]
    assert "Scope of approval communicated per supplier (7)" in evidence["8.4.3"]
    assert "Customer feedback log (7)" in evidence["8.2.1"]
    assert "Customer satisfaction surveys (1)" in evidence["9.1.2"]
    assert "Risk and opportunity register (7)" in evidence["6.1"]
    why = {row[0]: row[11] for row in readiness.export_rows(readiness.readiness())}
    assert "7 instrument(s) overdue for calibration" in why["7.1.5.2"]

    # The page shows the same totals as the sections, and its charts (fetched by htmx) the same numbers.
    html = client_for(qm).get("/").content.decode() + client_for(qm).get("/charts/", headers=HTMX).content.decode()
    card = re.search(r'id="recordsto_verify".*?</section>', html, re.S).group(0)
    assert '<span class="badge text-bg-secondary">4</span>' in card and card.count('class="list-group-item"') == 4
    # The ageing card and the two open-CAPA charts count the same rows once per page (dashboard.shared).
    ageing = re.search(r'id="capaageing".*?</section>', html, re.S).group(0)
    assert "Open under 30 days</a>" in ageing and "· 7</span>" in ageing
    for key, row in (("capaopen_by_age", "<th scope=\"row\">0–30 days</th><td>7</td>"),
                     ("capaby_source", "<th scope=\"row\">Process</th><td>7</td>")):
        figure = re.search(rf'id="chart-{key}".*?</figure>', html, re.S).group(0)
        assert row in figure, key


def _seq_scans(queries) -> dict[str, set[str]]:
    """The tables each query must read whole, with PostgreSQL told to avoid that
    wherever an index can answer (`enable_seqscan = off` leaves a sequential scan
    only where no index fits the query, as with a date cast of a time column)."""
    out: dict[str, set[str]] = {}
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        for q in queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cur.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cur.fetchall())
            tables = set(re.findall(r"Seq Scan on (\w+)", plan))
            if tables:
                out[sql[:160]] = tables
    return out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plans")
def test_the_dashboards_queries_on_the_growing_tables_read_an_index(world, quality_manager, staff):
    """Records grow to millions: no section or chart of the QM's dashboard scans the
    whole records table (the drafts, the verification backlog, submitted and verified
    per week), nor the acknowledgements or the audit trail by a date cast. (The CAPA
    register stays in the thousands: its open-CAPA charts count the open ones whole.)"""
    world.add(2)
    growing = {"records_record", "documents_acknowledgement", "qms_auditevent"}
    with CaptureQueriesContext(connection) as ctx, dashboard.one_page():
        dashboard.sections_for(quality_manager)
        dashboard.charts_for(quality_manager)
    scans = {sql: tables & growing for sql, tables in _seq_scans(ctx.captured_queries).items() if tables & growing}
    assert scans == {}
