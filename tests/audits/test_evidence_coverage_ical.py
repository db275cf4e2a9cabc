"""Evidence pins exact revisions and hashes files; the coverage view flags what
was not audited in its cycle and proposals follow frequencies; the iCalendar
feed parses and holds the user's audits."""

import hashlib
from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from audits import selectors, services
from audits.models import Audit, CalendarToken, Evidence
from documents.models import Revision
from qms.errors import DomainError
from tests.audits.factories import REPORT_VALUES, clause, make_audit, make_document, make_process, make_record
from tests.pdf_helpers import blank_pdf

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ evidence
def test_evidence_keeps_the_exact_revision_after_the_document_is_revised(quality_manager, auditor, staff, approver,
                                                                        production, client_for):
    doc = make_document(approver, process=production)
    rev1 = doc.revisions.get()
    audit = make_audit(quality_manager, auditor, production, state="in_progress", documents=[doc])
    finding = services.finding_raise(actor=auditor, audit=audit, finding_type="minor_nc", clause=clause("8.5.1"),
                                     statement="Step 4 not followed", owner=staff,
                                     evidence=services.EvidenceSpec(revision=rev1))
    # The document moves on: rev 01 superseded, rev 02 effective.
    rev1.status = Revision.Status.SUPERSEDED
    rev1.save()
    Revision.objects.create(document=doc, seq=2, label="02", status=Revision.Status.EFFECTIVE, content="v2",
                            created_by=approver)
    ev = Evidence.objects.get(finding=finding)
    assert ev.revision_id == rev1.pk and ev.revision.label == "01" and ev.revision.content == "v1"
    page = client_for(quality_manager).get(reverse("audits:finding-detail", args=[finding.pk]))
    assert f"<strong>{doc.number}</strong> rev 01" in page.content.decode()


def test_uploaded_evidence_is_checked_hashed_and_served_after_permission(quality_manager, auditor, staff, outsider,
                                                                         production, client_for):
    audit = make_audit(quality_manager, auditor, production, state="in_progress")
    services.checklist_generate(actor=auditor, audit=audit)
    item = audit.checklist.first()
    content = blank_pdf(note="calibration certificate")
    services.evidence_add(actor=auditor, checklist_item=item,
                          spec=services.EvidenceSpec(upload=SimpleUploadedFile("cert.pdf", content), note="cal cert"))
    ev = Evidence.objects.get()
    assert ev.kind == "file" and ev.sha256 == hashlib.sha256(content).hexdigest() and ev.original_name == "cert.pdf"
    url = reverse("audits:evidence-download", args=[ev.pk])
    assert b"".join(client_for(auditor).get(url).streaming_content) == content
    assert client_for(outsider).get(url).status_code in (403, 404)
    assert client_for(staff).get(url).status_code == 404
    with pytest.raises(DomainError, match="does not look like"):
        services.evidence_add(actor=auditor, checklist_item=item,
                              spec=services.EvidenceSpec(upload=SimpleUploadedFile("fake.pdf", b"MZ executable")))
    assert Evidence.objects.count() == 1


def test_record_evidence_links_the_record(quality_manager, auditor, staff, production):
    audit = make_audit(quality_manager, auditor, production, state="in_progress")
    services.checklist_generate(actor=auditor, audit=audit)
    rec = make_record(staff)
    services.evidence_add(actor=auditor, checklist_item=audit.checklist.first(), spec=services.EvidenceSpec(record=rec))
    assert Evidence.objects.get().record == rec


# ------------------------------------------------------------------ coverage and proposals
@pytest.fixture
def programme(quality_manager):
    year = timezone.localdate().year
    return services.programme_create(actor=quality_manager, title=f"Programme {year}", period_start=date(year, 1, 1),
                                     period_end=date(year, 12, 31), objectives="Cover every process")


def _done_audit(qm, lead, process, when: datetime, password):
    audit = make_audit(qm, lead, process, state="in_progress", start=when)
    services.report_save(actor=lead, audit=audit, values=REPORT_VALUES)
    services.report_issue(actor=lead, audit=audit, password=password)
    return audit


def test_process_not_audited_in_its_cycle_is_flagged(programme, quality_manager, auditor, production, password):
    year = programme.period_start.year
    purchasing = make_process(code="PUR", name="Purchasing", dept_code="PUR")
    services.programme_item_add(actor=quality_manager, programme=programme, process=production, frequency_months=12)
    services.programme_item_add(actor=quality_manager, programme=programme, process=purchasing, frequency_months=12)
    tz = timezone.get_current_timezone()
    _done_audit(quality_manager, auditor, purchasing, datetime(year, 2, 10, 9, tzinfo=tz), password)
    rows = {r.item.process.code: r for r in selectors.coverage(programme, today=date(year, 6, 15))}
    assert rows["PRD"].never and rows["PRD"].overdue
    assert rows["PRD"].cells[0].due and rows["PRD"].cells[0].overdue  # due in January, now past
    assert not rows["PUR"].never and not rows["PUR"].overdue
    assert ("done", f"IA-{year}-001") in rows["PUR"].cells[1].states
    assert rows["PUR"].last_done == date(year, 2, 10)


def test_planned_audit_shows_as_planned_then_overdue(programme, quality_manager, auditor, production):
    year = programme.period_start.year
    services.programme_item_add(actor=quality_manager, programme=programme, process=production)
    tz = timezone.get_current_timezone()
    make_audit(quality_manager, auditor, production, start=datetime(year, 9, 1, 9, tzinfo=tz))
    rows = selectors.coverage(programme, today=date(year, 6, 1))
    assert rows[0].cells[8].states[0][0] == "planned"
    assert not rows[0].overdue  # a pending audit covers it
    rows = selectors.coverage(programme, today=date(year, 10, 1))
    assert rows[0].cells[8].states[0][0] == "overdue"


def test_previous_findings_and_open_capas_are_counted_and_weight_proposals(programme, quality_manager, auditor, staff,
                                                                           production):
    year = programme.period_start.year
    purchasing = make_process(code="PUR", name="Purchasing", dept_code="PUR")
    services.programme_item_add(actor=quality_manager, programme=programme, process=purchasing)
    services.programme_item_add(actor=quality_manager, programme=programme, process=production)
    tz = timezone.get_current_timezone()
    audit = make_audit(quality_manager, auditor, production, state="in_progress",
                       start=datetime(year - 1, 3, 1, 9, tzinfo=tz))
    services.finding_raise(actor=auditor, audit=audit, finding_type="major_nc", clause=clause("8.5.1"),
                           statement="x", owner=staff, evidence=services.EvidenceSpec(record=make_record(staff)))
    rows = {r.item.process.code: r for r in selectors.coverage(programme, today=date(year, 1, 5))}
    assert rows["PRD"].findings == 1 and rows["PRD"].nc_findings == 1 and rows["PRD"].open_capas == 1
    props = selectors.proposals(programme, today=date(year, 1, 5))
    assert props[0].item.process == production and props[0].weight > props[1].weight


def test_proposals_follow_the_frequencies(programme, quality_manager, production):
    year = programme.period_start.year
    purchasing = make_process(code="PUR", name="Purchasing", dept_code="PUR")
    services.programme_item_add(actor=quality_manager, programme=programme, process=production, frequency_months=6,
                                risk="high")
    services.programme_item_add(actor=quality_manager, programme=programme, process=purchasing, frequency_months=12)
    services.programme_item_add(actor=quality_manager, programme=programme, clause=clause("9.3"), frequency_months=4)
    props = selectors.proposals(programme, today=date(year, 1, 1))
    by = {}
    for p in props:
        by.setdefault(p.label.split()[0], []).append(p.date)
    assert by["PRD"] == [date(year, 1, 1), date(year, 7, 1)]
    assert by["PUR"] == [date(year, 1, 1)]
    assert by["9.3"] == [date(year, 1, 1), date(year, 5, 1), date(year, 9, 1)]


def test_done_audit_covers_its_cycle_and_moves_the_next_proposal(programme, quality_manager, auditor, production,
                                                                 password):
    year = programme.period_start.year
    services.programme_item_add(actor=quality_manager, programme=programme, process=production, frequency_months=6)
    tz = timezone.get_current_timezone()
    _done_audit(quality_manager, auditor, production, datetime(year, 3, 10, 9, tzinfo=tz), password)
    props = selectors.proposals(programme, today=date(year, 4, 1))
    assert [p.date for p in props] == [date(year, 9, 10)]


def test_accepting_a_proposal_schedules_an_impartial_audit(programme, quality_manager, auditor, production, client_for):
    item = services.programme_item_add(actor=quality_manager, programme=programme, process=production)
    when = programme.period_start + timedelta(days=40)
    response = client_for(quality_manager).post(reverse("audits:proposal-accept", args=[programme.pk]),
                                                 {"item": item.pk, "date": when.isoformat()})
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert audit.programme == programme and audit.lead_auditor == auditor
    assert list(audit.processes.all()) == [production] and audit.criteria_clauses.exists()
    assert timezone.localtime(audit.planned_start).date() == when


def test_editing_a_proposal_prefills_the_schedule_form(programme, quality_manager, auditor, production, client_for):
    item = services.programme_item_add(actor=quality_manager, programme=programme, process=production)
    url = reverse("audits:audit-create") + f"?item={item.pk}&date={programme.period_start.isoformat()}"
    response = client_for(quality_manager).get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["lead_auditor"] == auditor


# ------------------------------------------------------------------ iCalendar
def test_ical_feed_parses_and_holds_the_users_audits(quality_manager, auditor, staff, production, client):
    mine = make_audit(quality_manager, auditor, production, auditees=[staff])
    other_lead = auditor.__class__.objects.create(username="aud2", full_name="Other Auditor")
    from django.contrib.auth.models import Group

    other_lead.groups.add(Group.objects.get(name="Auditor"))
    not_mine = make_audit(quality_manager, other_lead, production)
    token = services.calendar_token_for(user=staff).token
    response = client.get(reverse("audits:ical-user", args=[token]))  # no login: the token is the credential
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = cal.walk("VEVENT")
    summaries = [str(e["SUMMARY"]) for e in events]
    assert summaries == [f"{mine.number} {mine.title}"]
    assert not_mine.number not in "".join(summaries)
    assert events[0].decoded("DTSTART") == mine.planned_start


def test_programme_feed_holds_all_audits_for_the_quality_manager_only(quality_manager, auditor, staff, production,
                                                                      client):
    make_audit(quality_manager, auditor, production)
    make_audit(quality_manager, auditor, production)
    qm_token = services.calendar_token_for(user=quality_manager).token
    cal = Calendar.from_ical(client.get(reverse("audits:ical-programme", args=[qm_token])).content)
    assert len(cal.walk("VEVENT")) == 2
    staff_token = services.calendar_token_for(user=staff).token
    assert client.get(reverse("audits:ical-programme", args=[staff_token])).status_code == 404


def test_unknown_or_renewed_token_is_refused(quality_manager, client, client_for):
    assert client.get(reverse("audits:ical-user", args=["guess"])).status_code == 404
    old = services.calendar_token_for(user=quality_manager).token
    client_for(quality_manager).post(reverse("audits:calendar-feeds"))
    assert client.get(reverse("audits:ical-user", args=[old])).status_code == 404
    assert client.get(reverse("audits:ical-user", args=[CalendarToken.objects.get().token])).status_code == 200


def test_department_is_covered_by_audits_of_its_processes(programme, quality_manager, auditor, production, password):
    year = programme.period_start.year
    services.programme_item_add(actor=quality_manager, programme=programme, department=production.department)
    services.programme_item_add(actor=quality_manager, programme=programme,
                                department=make_process(code="HR", name="Training", dept_code="HR").department)
    tz = timezone.get_current_timezone()
    _done_audit(quality_manager, auditor, production, datetime(year, 3, 3, 9, tzinfo=tz), password)
    rows = {r.item.department.code: r for r in selectors.coverage(programme, today=date(year, 6, 1))}
    assert not rows["PRD"].never and rows["PRD"].last_done == date(year, 3, 3)
    assert rows["HR"].never and rows["HR"].overdue
    with pytest.raises(DomainError, match="one of"):
        services.programme_item_add(actor=quality_manager, programme=programme, process=production,
                                    department=production.department)


def test_a_late_audit_covers_the_missed_cycle(programme, quality_manager, auditor, production, password):
    year = programme.period_start.year
    services.programme_item_add(actor=quality_manager, programme=programme, process=production, frequency_months=6)
    tz = timezone.get_current_timezone()
    _done_audit(quality_manager, auditor, production, datetime(year, 7, 29, 9, tzinfo=tz), password)
    assert selectors.proposals(programme, today=date(year, 11, 20)) == []
    rows = selectors.coverage(programme, today=date(year, 11, 20))
    assert not rows[0].overdue and rows[0].next_due == date(year + 1, 1, 29)


def test_coverage_runs_one_query_per_source_whatever_the_item_count(programme, quality_manager, auditor, staff,
                                                                    production, password,
                                                                    django_assert_num_queries):
    year = programme.period_start.year
    with django_assert_num_queries(1):  # the items; nothing else to look up
        assert selectors.coverage(programme, today=date(year, 6, 1)) == []
    services.programme_item_add(actor=quality_manager, programme=programme, process=production)
    with django_assert_num_queries(4):  # items, audits, findings, open CAPAs of processes
        selectors.coverage(programme, today=date(year, 6, 1))
    services.programme_item_add(actor=quality_manager, programme=programme, clause=clause("8.5.1"))
    hr = make_process(code="HR", name="Training", dept_code="HR")
    services.programme_item_add(actor=quality_manager, programme=programme, department=hr.department)
    with django_assert_num_queries(11):  # departments read audits naming them and audits of their processes
        selectors.coverage(programme, today=date(year, 6, 1))
    tz = timezone.get_current_timezone()
    audit = make_audit(quality_manager, auditor, hr, state="in_progress", start=datetime(year, 2, 2, 9, tzinfo=tz))
    services.finding_raise(actor=auditor, audit=audit, finding_type="minor_nc", clause=clause("8.5.1"),
                           statement="x", owner=staff, evidence=services.EvidenceSpec(record=make_record(staff)))
    for code in ("PUR", "ENG"):
        p = make_process(code=code, name=code, dept_code=code)
        services.programme_item_add(actor=quality_manager, programme=programme, process=p)
        services.programme_item_add(actor=quality_manager, programme=programme, department=p.department)
        _done_audit(quality_manager, auditor, p, datetime(year, 3, 3, 9, tzinfo=tz), password)
    services.programme_item_add(actor=quality_manager, programme=programme, clause=clause("9.3"))
    with django_assert_num_queries(11):
        rows = selectors.coverage(programme, today=date(year, 6, 1))
    assert len(rows) == 8


def test_an_audit_naming_a_department_and_one_of_its_processes_counts_once(programme, quality_manager, auditor,
                                                                          production, password):
    year = programme.period_start.year
    services.programme_item_add(actor=quality_manager, programme=programme, department=production.department)
    tz = timezone.get_current_timezone()
    audit = make_audit(quality_manager, auditor, production, state="in_progress",
                       start=datetime(year, 3, 3, 9, tzinfo=tz), departments=[production.department])
    services.report_save(actor=auditor, audit=audit, values=REPORT_VALUES)
    services.report_issue(actor=auditor, audit=audit, password=password)
    [row] = selectors.coverage(programme, today=date(year, 6, 1))
    assert row.label == "PRD Dept PRD (department)"
    assert row.audits == [(date(year, 3, 3), audit.number, True, audit.pk)]
    assert row.cells[2].states == [("done", audit.number)]
    assert row.next_due == date(year + 1, 3, 3) and not row.never and not row.overdue


def test_a_clause_item_counts_audits_against_it_its_findings_and_open_capas(programme, quality_manager, auditor,
                                                                           staff, production):
    year = programme.period_start.year
    services.programme_item_add(actor=quality_manager, programme=programme, clause=clause("8.5.1"))
    services.programme_item_add(actor=quality_manager, programme=programme, clause=clause("9.3"))
    tz = timezone.get_current_timezone()
    audit = make_audit(quality_manager, auditor, production, state="in_progress",
                       start=datetime(year, 2, 2, 9, tzinfo=tz), clauses=("8.5.1",))
    services.finding_raise(actor=auditor, audit=audit, finding_type="major_nc", clause=clause("8.5.1"), statement="x",
                           owner=staff, evidence=services.EvidenceSpec(record=make_record(staff)))
    services.finding_raise(actor=auditor, audit=audit, finding_type="observation", clause=clause("8.5.1"),
                           statement="y", owner=staff)
    rows = {r.item.clause.number: r for r in selectors.coverage(programme, today=date(year, 6, 1))}
    assert rows["8.5.1"].label == f"8.5.1 {clause('8.5.1').title}"
    assert rows["8.5.1"].cells[1].states == [("overdue", audit.number)]  # in progress, past its date
    assert (rows["8.5.1"].findings, rows["8.5.1"].nc_findings, rows["8.5.1"].open_capas) == (2, 1, 1)
    assert rows["8.5.1"].never and rows["8.5.1"].overdue  # no audit against it is done yet
    assert (rows["9.3"].audits, rows["9.3"].findings, rows["9.3"].open_capas) == ([], 0, 0)


def test_audits_before_the_period_set_the_next_due_date_but_fill_no_month(programme, quality_manager, auditor,
                                                                         production, password):
    year = programme.period_start.year
    services.programme_item_add(actor=quality_manager, programme=programme, process=production, frequency_months=6)
    tz = timezone.get_current_timezone()
    _done_audit(quality_manager, auditor, production, datetime(year - 2, 10, 10, 9, tzinfo=tz), password)  # too old
    last = _done_audit(quality_manager, auditor, production, datetime(year - 1, 10, 10, 9, tzinfo=tz), password)
    make_audit(quality_manager, auditor, production, start=datetime(year + 1, 1, 5, 9, tzinfo=tz))  # after the period
    [row] = selectors.coverage(programme, today=date(year, 2, 1))
    assert row.audits == [(date(year - 1, 10, 10), last.number, True, last.pk)]
    assert row.last_done == date(year - 1, 10, 10) and row.next_due == date(year, 4, 10)
    assert not any(c.states for c in row.cells)
    assert [c.month.month for c in row.cells if c.due] == [4] and not row.cells[3].overdue
    assert row.never and not row.overdue  # not done in the period, but not due yet either
