"""Access matrix per view and action, bad input through the views, and query
counts that do not grow with rows (list pages and the coverage view)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import Audit, Capa, CapaAction, ChecklistItem, Finding
from tests.audits.factories import REPORT_VALUES, clause, make_audit, make_process, make_record
from tests.factories import UserFactory
from tests.signing import stamp_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(quality_manager, auditor, staff, production):
    """In progress, led by the auditor persona, staff as auditee, one minor NC owned by staff."""
    a = make_audit(quality_manager, auditor, production, state="in_progress", auditees=[staff])
    services.checklist_generate(actor=auditor, audit=a)
    services.finding_raise(actor=auditor, audit=a, finding_type="minor_nc", clause=clause("8.5.1"), statement="NC",
                           owner=staff, evidence=services.EvidenceSpec(record=make_record(staff)))
    return a


@pytest.fixture
def other_auditor(db):
    return UserFactory(username="aud2", full_name="Other Auditor", roles=["Auditor"])


def _status(client, method, url, data=None):
    return getattr(client, method)(url, data or {}).status_code


# ------------------------------------------------------------------ audits: read
@pytest.mark.parametrize(("persona", "expected"), [
    ("quality_manager", 200), ("auditor", 200), ("external_auditor", 200), ("staff", 200), ("author", 404),
    ("outsider", 404), ("other_auditor", 200),
])
def test_audit_detail_access(request, client_for, audit, persona, expected):
    """Auditors (internal and external) read every audit; auditees their own; others get a 404."""
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("audits:audit-detail", args=[audit.pk]))
    assert response.status_code == expected


def test_anonymous_is_sent_to_login(client, audit):
    for url in (reverse("audits:index"), reverse("audits:audit-detail", args=[audit.pk]), reverse("capa:capa-list")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("persona", "sees"), [
    ("quality_manager", True), ("auditor", True), ("external_auditor", True), ("staff", True), ("author", False),
])
def test_audit_list_shows_only_visible_audits(request, client_for, audit, persona, sees):
    body = client_for(request.getfixturevalue(persona)).get(reverse("audits:index")).content.decode()
    assert (audit.number in body) is sees


def test_outsider_gets_403_on_lists(client_for, outsider):
    assert client_for(outsider).get(reverse("audits:index")).status_code == 403
    assert client_for(outsider).get(reverse("capa:capa-list")).status_code == 403


# ------------------------------------------------------------------ audits: write
@pytest.mark.parametrize(("persona", "expected"), [
    ("quality_manager", 200), ("auditor", 403), ("external_auditor", 403), ("staff", 403),
])
def test_schedule_page_is_for_the_quality_manager(request, client_for, persona, expected):
    assert client_for(request.getfixturevalue(persona)).get(reverse("audits:audit-create")).status_code == expected


def test_schedule_through_the_form_and_refusals_show_the_reason(client_for, quality_manager, auditor, approver,
                                                                production):
    start = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT09:00")
    end = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT15:00")
    data = {"audit_type": "internal", "title": "Prod audit", "objectives": "Conformity", "scope": "",
            "criteria_clauses": [clause("8.5.1").pk], "processes": [production.pk], "planned_start": start,
            "planned_end": end, "lead_auditor": auditor.pk, "methods": "Interviews"}
    c = client_for(quality_manager)
    response = c.post(reverse("audits:audit-create"), data)
    assert response.status_code == 200 and "scope is required" in response.content.decode()
    data["scope"] = "Line 1"
    owner_auditor = UserFactory(username="owen", full_name="Owen Auditor", roles=["Auditor"])
    production.owner = owner_auditor
    production.save()
    data["lead_auditor"] = owner_auditor.pk
    response = c.post(reverse("audits:audit-create"), data)
    assert "Owen Auditor owns the process" in response.content.decode()
    assert not Audit.objects.exists()
    data["lead_auditor"] = auditor.pk
    response = c.post(reverse("audits:audit-create"), data)
    audit = Audit.objects.get()
    assert response.status_code == 302 and response["Location"] == audit.get_absolute_url()


@pytest.mark.parametrize(("persona", "allowed"), [
    ("auditor", True), ("quality_manager", True), ("other_auditor", False), ("external_auditor", False),
    ("staff", False),
])
def test_only_assigned_auditors_answer_the_checklist(request, client_for, audit, persona, allowed):
    item = audit.checklist.first()
    user = request.getfixturevalue(persona)
    response = client_for(user).post(reverse("audits:checklist-item", args=[item.pk]),
                                     {"answer": "conforming", "notes": "ok"})
    item.refresh_from_db()
    if allowed:
        assert response.status_code == 302 and item.answer == "conforming"
    else:
        assert response.status_code in (403, 404) and item.answer == ""


def test_checklist_item_page_and_htmx_fragment(client_for, audit, auditor):
    item = audit.checklist.first()
    c = client_for(auditor)
    page = c.get(reverse("audits:checklist-item", args=[item.pk]))
    assert page.status_code == 200 and "<html" in page.content.decode()
    frag = c.get(reverse("audits:checklist-item", args=[item.pk]), HTTP_HX_REQUEST="true")
    assert frag.status_code == 200 and "<html" not in frag.content.decode() and f"answer-{item.pk}" in frag.content.decode()


def test_checklist_question_can_be_reworded_added_and_removed(client_for, audit, auditor):
    c = client_for(auditor)
    item = audit.checklist.first()
    c.post(reverse("audits:checklist-item", args=[item.pk]), {"op": "reword", "question": "Reworded?"})
    item.refresh_from_db()
    assert item.question == "Reworded?"
    c.post(reverse("audits:checklist-add", args=[audit.pk]), {"question": "Extra?"})
    extra = ChecklistItem.objects.get(question="Extra?")
    c.post(reverse("audits:checklist-item-remove", args=[extra.pk]))
    assert not ChecklistItem.objects.filter(pk=extra.pk).exists()


@pytest.mark.parametrize(("persona", "expected"), [
    ("auditor", 200), ("other_auditor", 403), ("external_auditor", 403), ("staff", 403),
])
def test_finding_form_access(request, client_for, audit, persona, expected):
    response = client_for(request.getfixturevalue(persona)).get(reverse("audits:finding-create", args=[audit.pk]))
    assert response.status_code == expected


def test_nc_without_evidence_via_the_form_shows_the_error(client_for, audit, auditor, staff):
    response = client_for(auditor).post(reverse("audits:finding-create", args=[audit.pk]), {
        "finding_type": "major_nc", "clause": clause("8.5.1").pk, "statement": "x", "owner": staff.pk})
    assert response.status_code == 200 and "needs evidence" in response.content.decode()
    assert Finding.objects.count() == 1


def test_unknown_record_number_is_a_form_error(client_for, audit, auditor, staff):
    response = client_for(auditor).post(reverse("audits:finding-create", args=[audit.pk]), {
        "finding_type": "minor_nc", "clause": clause("8.5.1").pk, "statement": "x", "owner": staff.pk,
        "ev_record": "NOPE-1"})
    assert "No record numbered" in response.content.decode() and Finding.objects.count() == 1


def test_report_issue_via_view_and_locked_afterwards(client_for, audit, auditor, quality_manager, password):
    c = client_for(auditor)
    c.post(reverse("audits:report", args=[audit.pk]), {**REPORT_VALUES, "conclusions": ""})
    stamp = stamp_on(c.get(reverse("audits:report", args=[audit.pk])))
    c.post(reverse("audits:report-issue", args=[audit.pk]), {"username": "auditor", "password": password, **stamp})
    audit.refresh_from_db()
    assert audit.status == "in_progress"
    page = c.get(reverse("audits:report", args=[audit.pk])).content.decode()
    assert "conclusions" in page
    c.post(reverse("audits:report", args=[audit.pk]), REPORT_VALUES)
    stamp = stamp_on(c.get(reverse("audits:report", args=[audit.pk])))
    c.post(reverse("audits:report-issue", args=[audit.pk]), {"username": "auditor", "password": password, **stamp})
    audit.refresh_from_db()
    assert audit.status == "reported"
    assert c.post(reverse("audits:report", args=[audit.pk]), {**REPORT_VALUES, "conclusions": "edit"}).status_code == 403
    assert client_for(quality_manager).get(reverse("audits:report", args=[audit.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["auditor", "external_auditor", "staff"])
def test_only_the_quality_manager_closes_audits(request, client_for, audit, persona, password):
    services.report_save(actor=audit.lead_auditor, audit=audit, values=REPORT_VALUES)
    services.report_issue(actor=audit.lead_auditor, audit=audit, password=password)
    client_for(request.getfixturevalue(persona)).post(reverse("audits:audit-close", args=[audit.pk]))
    audit.refresh_from_db()
    assert audit.status == "reported"


@pytest.mark.parametrize(("persona", "expected"), [
    ("quality_manager", 200), ("auditor", 200), ("external_auditor", 200), ("staff", 403), ("outsider", 403),
])
def test_programme_pages_access(request, client_for, quality_manager, persona, expected):
    prog = services.programme_create(actor=quality_manager, title="P", period_start=date(2026, 1, 1),
                                     period_end=date(2026, 12, 31), objectives="o")
    c = client_for(request.getfixturevalue(persona))
    assert c.get(reverse("audits:programme-list")).status_code == expected
    assert c.get(reverse("audits:programme-detail", args=[prog.pk])).status_code == expected


@pytest.mark.parametrize("persona", ["auditor", "external_auditor"])
def test_programme_is_managed_by_the_quality_manager_only(request, client_for, quality_manager, production, persona):
    prog = services.programme_create(actor=quality_manager, title="P", period_start=date(2026, 1, 1),
                                     period_end=date(2026, 12, 31), objectives="o")
    c = client_for(request.getfixturevalue(persona))
    assert c.get(reverse("audits:programme-create")).status_code == 403
    c.post(reverse("audits:programme-item-add", args=[prog.pk]), {"process": production.pk, "frequency_months": 12,
                                                                  "risk": "normal"})
    assert not prog.items.exists()


def test_calendar_month_shows_visible_audits(client_for, audit, staff, author):
    month = timezone.localtime(audit.planned_start).strftime("%Y-%m")
    assert audit.number in client_for(staff).get(reverse("audits:calendar") + f"?month={month}").content.decode()
    assert audit.number not in client_for(author).get(reverse("audits:calendar") + f"?month={month}").content.decode()
    assert client_for(staff).get(reverse("audits:calendar") + "?month=2026-13").status_code == 404


def test_external_auditor_cannot_write(client_for, audit, external_auditor):
    c = client_for(external_auditor)
    c.post(reverse("audits:checklist-generate", args=[audit.pk]))
    assert c.post(reverse("capa:capa-create"), {}).status_code == 403
    capa = Capa.objects.get()
    c.post(reverse("capa:capa-analyse", args=[capa.pk]), {"ca_needed": "yes", "ca_justification": "j", "why1": "w",
                                                          "root_cause": "r"})
    capa.refresh_from_db()
    assert capa.status == "open"
    assert c.get(reverse("capa:capa-detail", args=[capa.pk])).status_code == 200


# ------------------------------------------------------------------ CAPA views
@pytest.mark.parametrize(("persona", "expected"), [
    ("quality_manager", 200), ("staff", 200), ("auditor", 200), ("external_auditor", 200), ("author", 404),
])
def test_capa_detail_access(request, client_for, audit, persona, expected):
    capa = Capa.objects.get()
    assert client_for(request.getfixturevalue(persona)).get(reverse("capa:capa-detail", args=[capa.pk])).status_code == expected


def test_staff_see_capas_and_actions_assigned_to_them(client_for, audit, staff, author, quality_manager):
    capa = Capa.objects.get()
    services.capa_analyse(actor=staff, capa=capa, ca_needed=True, justification="j", whys=["w"], root_cause="r")
    action = services.capa_action_add(actor=staff, capa=capa, description="Fix the jig", owner=author,
                                      due_date=timezone.localdate() + timedelta(days=5))
    assert capa.number in client_for(author).get(reverse("capa:capa-list")).content.decode()
    assert "Fix the jig" in client_for(author).get(reverse("capa:my-actions")).content.decode()
    other = services.capa_raise(actor=quality_manager, source="process", title="Not yours", description="d",
                                severity="minor", owner=quality_manager)
    assert other.number not in client_for(author).get(reverse("capa:capa-list")).content.decode()
    assert client_for(author).get(reverse("capa:capa-detail", args=[other.pk])).status_code == 404
    assert client_for(staff).get(reverse("capa:action-complete", args=[action.pk])).status_code == 403
    response = client_for(author).post(reverse("capa:action-complete", args=[action.pk]), {"note": "Jig fixed"})
    assert response.status_code == 302
    assert CapaAction.objects.get().status == "done"


def test_capa_bad_input_shows_error_and_changes_nothing(client_for, audit, staff):
    capa = Capa.objects.get()
    response = client_for(staff).post(reverse("capa:capa-analyse", args=[capa.pk]),
                                      {"ca_needed": "yes", "ca_justification": "j", "root_cause": ""})
    assert response.status_code == 400 and "root cause" in response.content.decode()
    capa.refresh_from_db()
    assert capa.status == "open"
    response = client_for(staff).post(reverse("capa:capa-action-add", args=[capa.pk]),
                                      {"description": "x", "owner": staff.pk, "due_date": "2026-12-01"})
    assert response.status_code == 400 and "No action plan without a root cause" in response.content.decode()


def test_raise_nc_from_complaint_record_via_view(client_for, staff):
    rec = make_record(staff, number="CC-9")
    response = client_for(staff).post(reverse("capa:capa-create"), {
        "source": "complaint", "title": "Late delivery", "description": "d", "severity": "minor", "owner": staff.pk,
        "record_number": "CC-9"})
    capa = Capa.objects.get()
    assert response.status_code == 302 and capa.source_record == rec


# ------------------------------------------------------------------ query counts
def _many_audits(qm, lead, process, n, staff):
    for i in range(n):
        a = make_audit(qm, lead, process, start=timezone.now() + timedelta(days=i + 1), auditees=[staff])
        a.team.add(qm)


def test_audit_list_queries_do_not_grow(client_for, quality_manager, auditor, staff, production,
                                        django_assert_max_num_queries):
    c = client_for(quality_manager)
    _many_audits(quality_manager, auditor, production, 2, staff)
    with django_assert_max_num_queries(12) as ctx:
        assert c.get(reverse("audits:index")).status_code == 200
    small = len(ctx.captured_queries)
    _many_audits(quality_manager, auditor, production, 10, staff)
    with django_assert_max_num_queries(small):
        assert c.get(reverse("audits:index")).status_code == 200
    staff_client = client_for(staff)
    with django_assert_max_num_queries(small):
        assert staff_client.get(reverse("audits:index")).status_code == 200


def test_capa_list_queries_do_not_grow(client_for, quality_manager, staff, django_assert_max_num_queries):
    def raise_n(n):
        for i in range(n):
            services.capa_raise(actor=staff, source="process", title=f"NC {i}", description="d", severity="minor",
                                owner=staff)
    c = client_for(quality_manager)
    raise_n(2)
    with django_assert_max_num_queries(12) as ctx:
        assert c.get(reverse("capa:capa-list")).status_code == 200
    small = len(ctx.captured_queries)
    raise_n(10)
    with django_assert_max_num_queries(small):
        assert c.get(reverse("capa:capa-list")).status_code == 200
    staff_client = client_for(staff)
    with django_assert_max_num_queries(small):
        assert staff_client.get(reverse("capa:capa-list")).status_code == 200


def test_coverage_view_queries_do_not_grow(client_for, quality_manager, auditor, staff,
                                           django_assert_max_num_queries):
    year = timezone.localdate().year
    prog = services.programme_create(actor=quality_manager, title="P", period_start=date(year, 1, 1),
                                     period_end=date(year, 12, 31), objectives="o")

    def add(n, start):
        for i in range(start, start + n):
            p = make_process(code=f"P{i}", name=f"Process {i}", dept_code=f"D{i}")
            services.programme_item_add(actor=quality_manager, programme=prog, process=p)
            _many_audits(quality_manager, auditor, p, 1, staff)
    add(2, 0)
    services.programme_item_add(actor=quality_manager, programme=prog, clause=clause("9.3"))
    c = client_for(quality_manager)
    with django_assert_max_num_queries(20) as ctx:
        assert c.get(reverse("audits:programme-detail", args=[prog.pk])).status_code == 200
    small = len(ctx.captured_queries)
    add(8, 2)
    with django_assert_max_num_queries(small):
        assert c.get(reverse("audits:programme-detail", args=[prog.pk])).status_code == 200


def test_my_actions_queries_do_not_grow(client_for, staff, author, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            capa = services.capa_raise(actor=staff, source="process", title=f"NC {i}", description="d",
                                       severity="minor", owner=staff)
            services.capa_analyse(actor=staff, capa=capa, ca_needed=True, justification="j", whys=["w"], root_cause="r")
            services.capa_action_add(actor=staff, capa=capa, description="a", owner=author,
                                     due_date=timezone.localdate())
    add(2)
    c = client_for(author)
    with django_assert_max_num_queries(12) as ctx:
        c.get(reverse("capa:my-actions"))
    add(8)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        c.get(reverse("capa:my-actions"))


def test_audit_page_queries_do_not_grow(client_for, quality_manager, auditor, staff, production,
                                        django_assert_max_num_queries):
    audit = make_audit(quality_manager, auditor, production, state="in_progress", auditees=[staff])

    def add(n):
        for i in range(n):
            services.checklist_item_save(actor=auditor, audit=audit, item=None, question=f"Q{i}?")
            services.finding_raise(actor=auditor, audit=audit, finding_type="minor_nc", clause=clause("8.5.1"),
                                   statement=f"NC {i}", owner=staff,
                                   evidence=services.EvidenceSpec(record=make_record(staff, number=f"R-{audit.findings.count()}")))
    add(2)
    c = client_for(quality_manager)
    url = reverse("audits:audit-detail", args=[audit.pk])
    c.get(url)
    with django_assert_max_num_queries(40) as ctx:
        c.get(url)
    add(8)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        c.get(url)


def test_capa_detail_queries_do_not_grow(client_for, quality_manager, staff, author, django_assert_max_num_queries):
    capa = services.capa_raise(actor=staff, source="process", title="NC", description="d", severity="minor", owner=staff,
                               clause=clause("8.5.1"))
    services.capa_analyse(actor=staff, capa=capa, ca_needed=True, justification="j", whys=["w"], root_cause="r")

    def add(n):
        for _ in range(n):
            services.capa_action_add(actor=staff, capa=capa, description="a", owner=author,
                                     due_date=timezone.localdate())
            services.capa_raise(actor=staff, source="process", title="Similar", description="d", severity="minor",
                                owner=staff, clause=clause("8.5.1"))
    add(2)
    c = client_for(quality_manager)
    url = reverse("capa:capa-detail", args=[capa.pk])
    c.get(url)
    with django_assert_max_num_queries(40) as ctx:
        c.get(url)
    add(8)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        c.get(url)


@pytest.mark.parametrize("persona", ["staff", "external_auditor", "author"])
def test_verify_and_close_views_refuse_the_wrong_roles(request, client_for, audit, persona, author, password):
    capa = Capa.objects.get()
    owner = capa.owner
    services.capa_analyse(actor=owner, capa=capa, ca_needed=True, justification="j", whys=["w"], root_cause="r")
    action = services.capa_action_add(actor=owner, capa=capa, description="a", owner=author,
                                      due_date=timezone.localdate())
    services.capa_start_actions(actor=owner, capa=capa)
    services.capa_action_complete(actor=author, action=action, note="done")
    services.capa_submit_verification(actor=owner, capa=capa, method="m", due=timezone.localdate())
    user = request.getfixturevalue(persona)
    c = client_for(user)
    c.post(reverse("capa:capa-verify", args=[capa.pk]), {"result": "effective", "notes": "ok"})
    capa.refresh_from_db()
    assert capa.status == "verifying"
    c.post(reverse("capa:capa-close", args=[capa.pk]), {"username": user.username, "password": password})
    capa.refresh_from_db()
    assert capa.status == "verifying"


def test_finding_close_view_for_non_nc_by_team_only(client_for, audit, auditor, staff):
    ofi = services.finding_raise(actor=auditor, audit=audit, finding_type="ofi", clause=clause("8.5.1"),
                                 statement="Labels", owner=staff)
    client_for(staff).post(reverse("audits:finding-close", args=[ofi.pk]))
    ofi.refresh_from_db()
    assert ofi.status == "open"
    client_for(auditor).post(reverse("audits:finding-close", args=[ofi.pk]))
    ofi.refresh_from_db()
    assert ofi.status == "closed"


def test_quality_manager_adds_coverage_and_bad_input_is_refused(client_for, quality_manager, production):
    prog = services.programme_create(actor=quality_manager, title="P", period_start=date(2026, 1, 1),
                                     period_end=date(2026, 12, 31), objectives="o")
    c = client_for(quality_manager)
    page = c.get(reverse("audits:programme-detail", args=[prog.pk])).content.decode()
    assert f'<option value="{production.department_id}">' in page
    c.post(reverse("audits:programme-item-add", args=[prog.pk]), {"process": production.pk,
                                                                  "department": production.department_id,
                                                                  "frequency_months": 12, "risk": "normal"})
    assert not prog.items.exists()
    c.post(reverse("audits:programme-item-add", args=[prog.pk]), {"department": production.department_id,
                                                                  "frequency_months": 6, "risk": "high"})
    item = prog.items.get()
    assert item.department == production.department and item.frequency_months == 6


@pytest.mark.parametrize(("persona", "added"), [("auditor", True), ("staff", False), ("external_auditor", False)])
def test_evidence_added_to_a_finding_by_the_audit_team_only(request, client_for, audit, persona, added):
    finding = Finding.objects.get()
    rec = make_record(audit.lead_auditor, number="EXTRA-1")
    client_for(request.getfixturevalue(persona)).post(reverse("audits:finding-evidence-add", args=[finding.pk]),
                                                      {"ev_record": "EXTRA-1"})
    assert finding.evidence.filter(record=rec).exists() is added


def test_capa_register_exports_what_the_viewer_may_see(client_for, quality_manager, staff, author):
    mine = services.capa_raise(actor=staff, source="process", title="=Formula", description="d", severity="minor",
                               owner=staff)
    services.capa_raise(actor=quality_manager, source="process", title="Other", description="d", severity="minor",
                        owner=quality_manager)
    text = client_for(staff).get(reverse("capa:capa-export") + "?fmt=csv&status=").content.decode()
    assert mine.number in text and "'=Formula" in text and "Other" not in text
    xlsx = client_for(quality_manager).get(reverse("capa:capa-export") + "?fmt=xlsx&status=")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client_for(author).get(reverse("capa:capa-export")).status_code == 200


def test_revision_evidence_is_chosen_by_document_number_and_pinned(client_for, audit, auditor, approver):
    from documents.models import Revision
    from tests.audits.factories import make_document

    doc = make_document(approver, number="SOP-PRD-009")
    finding = Finding.objects.get()
    url = reverse("audits:finding-evidence-add", args=[finding.pk])
    c = client_for(auditor)
    c.post(url, {"ev_document": "SOP-PRD-404"})
    assert finding.evidence.count() == 1  # only the record from the fixture
    c.post(url, {"ev_document": "SOP-PRD-009"})
    ev = finding.evidence.get(kind="revision")
    assert ev.revision == doc.revisions.get(status=Revision.Status.EFFECTIVE)
    Revision.objects.create(document=doc, seq=2, label="02", status=Revision.Status.DRAFT, content="v2",
                            created_by=approver)
    c.post(url, {"ev_document": "SOP-PRD-009", "ev_revision_label": "02"})
    assert finding.evidence.filter(revision__label="02").exists()


def test_finding_page_links_its_evidence_to_the_revision_and_record_pages(client_for, quality_manager, auditor, staff,
                                                                          production):
    from tests.audits.factories import make_document

    audit = make_audit(quality_manager, auditor, production, state="in_progress")
    revision = make_document(staff).revisions.get()
    record = make_record(staff)
    finding = services.finding_raise(actor=auditor, audit=audit, finding_type="observation", clause=clause("8.5.1"),
                                     statement="Set-up sheet unsigned", owner=staff,
                                     evidence=services.EvidenceSpec(revision=revision))
    services.evidence_add(actor=auditor, spec=services.EvidenceSpec(record=record), finding=finding)
    body = client_for(quality_manager).get(finding.get_absolute_url()).content.decode()
    assert f'href="{revision.get_absolute_url()}"' in body
    assert f'href="/records/{record.number}/"' in body
