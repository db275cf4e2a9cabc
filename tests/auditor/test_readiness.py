"""The ISO 9001 readiness map: gap, stale and covered; counts equal direct
queries; a constant number of queries; the summary and its PDF."""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from auditor import readiness
from audits import services as audit_services
from audits.models import Capa, Finding
from documents.models import Document
from qms.models import Clause
from records.models import Record
from tests.audits.factories import REPORT_VALUES, make_audit, make_process
from tests.documents.factories import make_effective
from tests.factories import PASSWORD
from tests.records.factories import make_record, make_type


def _row(rows, number):
    return next(r for r in rows if r.clause.number == number)


@pytest.mark.django_db
def test_a_clause_with_nothing_linked_is_a_gap():
    rows = readiness.readiness()
    assert len(rows) == Clause.objects.count()
    row = _row(rows, "8.3.6")
    assert row.status == "gap" and row.reasons == ["Nothing linked"]


@pytest.mark.django_db
def test_a_linked_document_overdue_for_review_makes_the_clause_stale(author, approver):
    doc = make_effective(author, approver, clauses=[Clause.objects.get(number="5.2.2")])
    row = _row(readiness.readiness(), "5.2.2")
    assert row.documents == 1 and row.overdue_reviews == 0
    later = doc.next_review_date + timedelta(days=1)
    row = _row(readiness.readiness(today=later), "5.2.2")
    assert row.status == "stale" and row.overdue_reviews == 1
    assert "1 document(s) overdue for review" in row.reasons
    # The parent clause 5.2 rolls the document up too.
    assert _row(readiness.readiness(today=later), "5.2").documents == 1


@pytest.mark.django_db
def test_retain_clause_without_a_record_type_is_a_gap_even_with_a_document(author, approver):
    make_effective(author, approver, clauses=[Clause.objects.get(number="7.2")])
    row = _row(readiness.readiness(), "7.2")
    assert row.status == "gap" and "No record type" in row.reasons[0]


@pytest.mark.django_db
def test_covered_when_documents_records_and_a_recent_audit_are_all_there(
    author, approver, staff, quality_manager, auditor
):
    clause = Clause.objects.get(number="7.1.5.1")
    make_effective(author, approver, clauses=[clause])
    cal = make_type("CAL", verification_required=False)
    cal.clauses.set([clause])
    make_record(staff, cal)
    process = make_process(code="CAL", name="Calibration", dept_code="QA", owner=None)
    audit = make_audit(quality_manager, auditor, process, state="in_progress", clauses=("7.1.5.1",),
                       start=timezone.now() - timedelta(days=2))
    audit_services.finding_raise(actor=auditor, audit=audit, finding_type="observation", clause=clause,
                                 statement="Labels faded", owner=staff)
    assert _row(readiness.readiness(), "7.1.5.1").status == "stale"  # not audited yet: the audit is in progress
    audit_services.report_save(actor=auditor, audit=audit, values=REPORT_VALUES)
    audit_services.report_issue(actor=auditor, audit=audit, password=PASSWORD)
    audit.refresh_from_db()
    assert audit.status == "reported"
    row = _row(readiness.readiness(), "7.1.5.1")
    assert row.status == "covered", row.reasons
    assert row.records_12m == 1 and row.record_types == 1 and row.open_findings == 1
    assert row.last_audit == audit.planned_end.date()


@pytest.mark.django_db
def test_counts_equal_direct_queries(author, approver, staff, quality_manager):
    numbers = ["7.5.1", "7.5.3", "8.5.1"]
    for i, n in enumerate(numbers):
        make_effective(author, approver, title=f"Doc {i}", clauses=[Clause.objects.get(number=n)])
    make_effective(author, approver, title="Two clauses", clauses=list(Clause.objects.filter(number__in=["7.5.1", "7.5.3"])))
    rtype = make_type("INS", verification_required=False)
    rtype.clauses.set(Clause.objects.filter(number__in=["8.5.1", "8.6"]))
    for _ in range(3):
        make_record(staff, rtype)
    rows = readiness.readiness()
    for number in ["7.5", "7.5.1", "7.5.3", "8.5", "8.5.1", "8.6", "8"]:
        tree = Q(clauses__number=number) | Q(clauses__number__startswith=number + ".")
        direct_docs = Document.objects.filter(tree, effective_revision__isnull=False).distinct().count()
        rtree = Q(record_type__clauses__number=number) | Q(record_type__clauses__number__startswith=number + ".")
        direct_records = Record.objects.filter(rtree, status="submitted").distinct().count()
        row = _row(rows, number)
        assert (row.documents, row.records_12m) == (direct_docs, direct_records), number
    assert _row(rows, "7.5").documents == 3  # a document on two sub-clauses counts once


@pytest.mark.django_db
def test_map_query_count_is_constant_in_rows(author, approver, staff, client_for, quality_manager,
                                            django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(quality_manager)
    make_effective(author, approver, clauses=[Clause.objects.get(number="8.1")])
    c.get("/clauses/")
    with CaptureQueriesContext(connection) as small:
        assert c.get("/clauses/").status_code == 200
    rtype = make_type("INS", verification_required=False)
    rtype.clauses.set(Clause.objects.filter(number__in=["8.6"]))
    for i in range(4):
        make_effective(author, approver, title=f"More {i}", clauses=[Clause.objects.get(number="8.5.1")])
        make_record(staff, rtype)
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/clauses/")


@pytest.mark.django_db
def test_summary_and_page_for_the_quality_manager(client_for, quality_manager, staff, author, approver):
    capa = audit_services.capa_raise(actor=quality_manager, source="process", title="Late", description="d",
                                     severity="minor", owner=staff)
    Capa.objects.filter(pk=capa.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    rows = readiness.readiness()
    summary = readiness.summary(rows)
    assert summary.clauses == len(rows) and summary.gaps == len(rows)  # nothing is linked yet
    assert summary.overdue_capas == 1 and summary.covered_share == 0.0
    page = client_for(quality_manager).get("/clauses/").content.decode()
    assert "ISO 9001:2015 readiness" in page and "CAPAs overdue" in page
    # Staff see the plain catalogue, without the readiness colours.
    staff_page = client_for(staff).get("/clauses/").content.decode()
    assert "readiness" not in staff_page.lower() and "7.1.5.1" in staff_page
    assert Finding.objects.count() == 0


@pytest.mark.django_db
def test_readiness_pdf_job_contains_the_summary(client_for, quality_manager, auditor, staff,
                                                django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    from qms.models import Job
    from qms.pdf import extract_text

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(quality_manager).post("/clauses/readiness.pdf")
    job = Job.objects.get(kind="readiness_pdf")
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == "ready", job.error
    text = "\n".join(extract_text(default_storage.open(job.file.name).read()))
    assert "ISO 9001:2015 readiness summary" in text and "7.1.5.1" in text and "Quinn Marsh" in text
    assert client_for(staff).post("/clauses/readiness.pdf").status_code == 403


@pytest.mark.django_db
def test_clause_page_lists_evidence_with_click_through(client_for, quality_manager, author, approver, staff):
    clause = Clause.objects.get(number="7.1.5.1")
    doc = make_effective(author, approver, clauses=[clause])
    cal = make_type("CAL", verification_required=False)
    cal.clauses.set([clause])
    make_record(staff, cal)
    body = client_for(quality_manager).get("/clauses/7.1.5/").content.decode()
    assert f'href="/documents/{doc.number}/"' in body
    assert 'href="/records/?type=CAL&amp;clause=7.1.5"' in body


@pytest.mark.django_db
def test_clause_page_links_audits_findings_and_capas(client_for, quality_manager, auditor, staff):
    clause = Clause.objects.get(number="8.5.1")
    process = make_process(code="PRD", name="Production", dept_code="PRD")
    audit = make_audit(quality_manager, auditor, process, state="in_progress", clauses=("8.5.1",),
                       start=timezone.now() - timedelta(days=1))
    finding = audit_services.finding_raise(actor=auditor, audit=audit, finding_type="observation", clause=clause,
                                           statement="Work order unsigned", owner=staff)
    capa = audit_services.capa_raise(actor=quality_manager, source="process", title="Line stop", description="d",
                                     severity="minor", owner=staff, clause=clause)
    body = client_for(quality_manager).get("/clauses/8.5/").content.decode()
    for obj in (audit, finding, capa):
        assert f'href="{obj.get_absolute_url()}"' in body
        assert client_for(quality_manager).get(obj.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_map_can_show_only_the_gaps(client_for, quality_manager, author, approver):
    make_effective(author, approver, clauses=[Clause.objects.get(number="5.2.2")])
    body = client_for(quality_manager).get("/clauses/?status=gap").content.decode()
    assert ">8.3.6</a>" in body and ">5.2.2</a>" not in body
    assert "clauses covered" in body  # the summary still counts every clause
