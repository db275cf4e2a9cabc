"""Browser: the quality manager schedules an audit; the auditor fills the
checklist and raises a minor NC with a record as evidence, then issues the
signed report; the owner analyses the CAPA and completes its action; the
quality manager verifies effectiveness; the finding and the audit close."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import Audit, Capa, Finding
from qms.models import Clause
from tests.audits.factories import make_process, make_record, restore_catalogue
from tests.e2e.picker import choose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(transactional_db):
    restore_catalogue()


def _switch(page, login, user):
    page.context.clear_cookies()
    login(user)


def test_audit_to_verified_capa_in_the_browser(catalogue, page, login, quality_manager, auditor, staff, approver, password):
    production = make_process(code="PRD", name="Production", dept_code="PRD", owner=approver)
    record = make_record(staff, number="INSP-2026-00042")
    clause = Clause.objects.get(number="8.5.1")
    day = timezone.localdate() + timedelta(days=2)

    # 1. The quality manager schedules the audit and issues the plan.
    login(quality_manager)
    page.goto("/audits/new/")
    page.locator("#id_title").fill("Production audit")
    page.get_by_label("Objectives").fill("Check conformity of set-up")
    page.get_by_label("Scope").fill("Press line 1")
    choose(page, "#id_criteria_clauses", value=clause.pk)
    page.get_by_label("Processes").select_option(value=str(production.pk))
    page.get_by_label("Planned start").fill(f"{day:%Y-%m-%d}T09:00")
    page.get_by_label("Planned end").fill(f"{day:%Y-%m-%d}T15:00")
    choose(page, "#id_lead_auditor", value=auditor.pk)
    choose(page, "#id_auditees", value=staff.pk)
    page.get_by_role("button", name="Schedule").click()
    page.get_by_text("scheduled").first.wait_for()
    audit = Audit.objects.get()
    page.get_by_role("button", name="Issue audit plan").click()
    page.get_by_role("status").filter(has_text="Audit plan issued").wait_for()  # the message, not the trail line

    # 2. The auditor starts, fills the checklist and raises a minor NC with a record as evidence.
    _switch(page, login, auditor)
    page.goto(f"/audits/{audit.pk}/")
    page.get_by_role("button", name="Start audit").click()
    page.get_by_role("button", name="Generate questions from criteria").click()
    page.get_by_role("link", name="Answer 1").click()
    page.get_by_label("Nonconforming").check()
    page.get_by_label("Notes").fill("Set-up sheet for press 4 not signed")
    page.get_by_role("button", name="Save answer").click()
    page.get_by_text("Answer saved").wait_for()
    page.get_by_role("link", name="Finding", exact=True).first.click()  # the first question: its clause is the finding's
    page.get_by_label("Type").select_option(value="minor_nc")
    choose(page, "select[name=owner]", value=staff.pk)
    page.get_by_label("Evidence: record number").fill(record.number)
    page.get_by_role("button", name="Record finding").click()
    page.get_by_text("CAPA NC-").wait_for()
    finding = Finding.objects.get()
    assert finding.evidence.get().record == record and finding.clause == clause
    capa = Capa.objects.get()

    # The lead auditor writes and signs the report.
    page.goto(f"/audits/{audit.pk}/report/")
    page.get_by_label("Client").fill("Top management")
    page.get_by_label("Dates and places").fill(f"Press line 1, {day}")
    page.get_by_label("Conclusions").fill("Effective, one minor NC")
    page.get_by_label("Degree to which criteria were met").fill("Largely met")
    page.get_by_label("Unresolved diverging opinions").fill("None")
    page.get_by_label("Sampling note").fill("Ten set-up sheets sampled")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign: Issued").click()
    page.get_by_text("Report issued, signed and distributed").wait_for()

    # 3. The CAPA owner analyses, plans and completes the action.
    _switch(page, login, staff)
    page.goto(f"/capa/{capa.pk}/")
    page.get_by_label("Yes").check()
    page.get_by_label("Justification").fill("Could recur on every shift")
    page.get_by_label("Why? (1)").fill("Sheet not signed")
    page.get_by_label("Why? (2)").fill("Sign-off step not in the instruction")
    page.get_by_label("Root cause").fill("Instruction lacks the sign-off step")
    page.get_by_role("button", name="Record analysis").click()
    page.get_by_text("Analysis recorded").wait_for()
    page.get_by_text("Add an action").click()
    page.get_by_label("Description").fill("Add sign-off step to the instruction")
    choose(page, "select[name=owner]", value=staff.pk)
    page.get_by_label("Due date").fill(f"{day:%Y-%m-%d}")
    page.get_by_role("button", name="Add action").click()
    page.get_by_role("button", name="Agree action plan").click()
    page.get_by_role("link", name="Complete action").click()
    page.get_by_label("What was done").fill("Instruction revised, shift briefed")
    page.get_by_role("button", name="Mark done").click()
    page.get_by_text("Action completed").wait_for()
    page.get_by_label("Effectiveness check method").fill("Sample 20 set-up sheets")
    page.get_by_label("Check due").fill(f"{day:%Y-%m-%d}")
    page.get_by_role("button", name="Plan effectiveness check").click()
    page.get_by_text("Effectiveness check planned").wait_for()

    # 4. The quality manager verifies effectiveness; the finding closes; then the audit.
    _switch(page, login, quality_manager)
    page.goto(f"/capa/{capa.pk}/")
    page.get_by_label("Effective", exact=True).check()
    page.get_by_label("What the check found").fill("20 of 20 signed")
    # The check was planned two days ahead: recording it now needs a stated reason (kept in the trail).
    page.get_by_label("Why check before the planned date?").fill("All 20 sheets already in")
    page.get_by_role("button", name="Record effectiveness check").click()
    page.get_by_text("Effectiveness check recorded").wait_for()
    capa.refresh_from_db()
    finding.refresh_from_db()
    assert capa.status == Capa.Status.EFFECTIVE and finding.status == Finding.Status.CLOSED
    page.goto(f"/audits/{audit.pk}/")
    page.get_by_role("button", name="Close audit").click()
    page.get_by_text("Audit closed.").wait_for()
    audit.refresh_from_db()
    assert audit.status == Audit.Status.CLOSED
