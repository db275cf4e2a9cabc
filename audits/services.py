"""Writes for audits and CAPA: one service per transition, keyword-only, with an
AuditEvent in the same transaction. Nothing else sets `.status`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, override

from audits.models import (
    Audit,
    AuditProgramme,
    AuditQuestion,
    AuditReport,
    CalendarToken,
    Capa,
    CapaAction,
    ChecklistItem,
    Evidence,
    Finding,
    ProgrammeItem,
    ReportDistribution,
)
from audits.rules import capa_action_refusal, capa_check_refusal
from qms import bulk, jobs, permissions
from qms.audit import attribute, record_event
from qms.dates import MAX_PROGRAMME_YEARS, check_in_window
from qms.errors import DomainError, PermissionRefused
from qms.lifecycle import guard, transition
from qms.notifications import notify
from qms.rules import allowed, require
from qms.signatures import Meaning, authenticate_signer, sign
from qms.stored_text import text as said
from qms.uploads import store_upload

# Days from raising to the CAPA due date, per severity; override with the
# AUDITS_CAPA_DUE_DAYS setting (ISO 9001 10.2 asks for action "appropriate to the effects").
DEFAULT_CAPA_DUE_DAYS = {"major": 30, "minor": 90}


def capa_due_days(severity: str) -> int:
    table = {**DEFAULT_CAPA_DUE_DAYS, **getattr(settings, "AUDITS_CAPA_DUE_DAYS", {})}
    return int(table[severity])


def _full_clean(obj, exclude=None):
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise DomainError(" ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v)
                                   for k, v in exc.message_dict.items())) from exc


# ------------------------------------------------------------------ programme
@transaction.atomic
def programme_create(*, actor, title: str, period_start: date, period_end: date, objectives: str) -> AuditProgramme:
    """Create an audit programme for a period (ISO 19011 5.2, 5.3)."""
    require("audits.manage_programme", actor)
    if period_end <= period_start:
        raise DomainError(gettext("The programme must end after it starts."))
    check_in_window(period_start, "The programme's start")
    check_in_window(period_end, "The programme's end")
    if (period_end - period_start).days > MAX_PROGRAMME_YEARS * 366:
        raise DomainError(gettext("A programme covers at most %(years)s years.") % {"years": MAX_PROGRAMME_YEARS})
    prog = AuditProgramme(title=title, period_start=period_start, period_end=period_end, owner=actor, objectives=objectives)
    _full_clean(prog)
    attribute(prog, actor, "Programme created")
    prog.save()
    record_event(actor=actor, verb="programme.created", obj=prog)
    return prog


@transaction.atomic
def programme_item_add(*, actor, programme, process=None, department=None, clause=None, frequency_months: int = 12,
                       risk: str = ProgrammeItem.Risk.NORMAL) -> ProgrammeItem:
    """Add a process, a department or a clause to cover, with how often it is audited."""
    require("audits.manage_programme", actor, programme)
    if sum(x is not None for x in (process, department, clause)) != 1:
        raise DomainError(gettext("Choose one of a process, a department or a clause."))
    item = ProgrammeItem(programme=programme, process=process, department=department, clause=clause,
                         frequency_months=frequency_months, risk=risk)
    _full_clean(item)
    attribute(item, actor, "Coverage added")
    item.save()
    record_event(actor=actor, verb="programme.item_added", obj=programme, comment=str(item))
    return item


# ------------------------------------------------------------------ audits
def impartiality_conflicts(auditors, processes, departments) -> list[str]:
    """ISO 19011 4(c), 9.2.2(c): auditors do not audit their own work.

    A conflict is an auditor who owns an audited process, or belongs to (or
    manages) an audited department or the department of an audited process."""
    conflicts = []
    depts = {d.pk: d for d in departments}
    for p in processes:
        if p.department_id:
            depts.setdefault(p.department_id, p.department)
    for user in auditors:
        for p in processes:
            if p.owner_id == user.pk:
                conflicts.append(gettext("%(name)s owns the process “%(process)s”.") % {"name": user.display_name, "process": p.name})
        for d in depts.values():
            if user.department_id == d.pk:
                conflicts.append(gettext("%(name)s belongs to the department “%(department)s”.") % {
                    "name": user.display_name, "department": d.name})
            elif d.manager_id == user.pk:
                conflicts.append(gettext("%(name)s manages the department “%(department)s”.") % {
                    "name": user.display_name, "department": d.name})
    return conflicts


def _next_number(audit_type: str, year: int) -> str:
    prefix = {"internal": "IA", "supplier": "SA", "certification": "CA"}[audit_type] + f"-{year}-"
    last = Audit.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:03d}"


def _check_audit_input(*, scope, criteria_clauses, criteria_documents, planned_start, planned_end,
                       lead_auditor, team, processes, departments):
    if not (scope or "").strip():
        raise DomainError(gettext("The scope is required before an audit is scheduled."))
    if not list(criteria_clauses) and not list(criteria_documents):
        raise DomainError(gettext("The audit criteria (clauses or documents audited against) are required before an audit is scheduled."))
    if not (processes or departments):
        raise DomainError(gettext("Choose at least one process or department to audit."))
    if planned_end < planned_start:
        raise DomainError(gettext("The planned end must not be before the planned start."))
    check_in_window(planned_start, "The planned start")  # no IA-9999-001 or IA-1-001
    check_in_window(planned_end, "The planned end")
    auditors = [lead_auditor, *[u for u in team if u.pk != lead_auditor.pk]]
    conflicts = impartiality_conflicts(auditors, processes, departments)
    if conflicts:
        raise DomainError(gettext("Impartiality: %(conflicts)s Choose another auditor.") % {"conflicts": " ".join(conflicts)})


@dataclass
class AuditInput:
    audit_type: str
    title: str
    objectives: str
    scope: str
    criteria_clauses: list
    criteria_documents: list
    processes: list
    departments: list
    site: str
    methods: str
    is_remote: bool
    planned_start: object
    planned_end: object
    lead_auditor: object
    team: list
    auditees: list
    programme: AuditProgramme | None = None


@transaction.atomic
def audit_schedule(*, actor, data: AuditInput) -> Audit:
    """Schedule an audit (state planned). Scope and criteria are required, and
    no auditor may audit a process they own or a department they belong to."""
    require("audits.schedule_audit", actor)
    _check_audit_input(
        scope=data.scope, criteria_clauses=data.criteria_clauses, criteria_documents=data.criteria_documents,
        planned_start=data.planned_start, planned_end=data.planned_end, lead_auditor=data.lead_auditor,
        team=data.team, processes=data.processes, departments=data.departments,
    )
    audit = Audit(
        number=_next_number(data.audit_type, data.planned_start.year),
        programme=data.programme, audit_type=data.audit_type, title=data.title, objectives=data.objectives,
        scope=data.scope, site=data.site, methods=data.methods, is_remote=data.is_remote,
        planned_start=data.planned_start, planned_end=data.planned_end, lead_auditor=data.lead_auditor,
        created_by=actor,
    )
    _full_clean(audit)
    attribute(audit, actor, "Audit scheduled")
    audit.save()
    _set_m2m(audit, data)
    record_event(actor=actor, verb="audit.scheduled", obj=audit, to_state=audit.status)
    return audit


def _set_m2m(audit, data: AuditInput):
    audit.criteria_clauses.set(data.criteria_clauses)
    audit.criteria_documents.set(data.criteria_documents)
    audit.processes.set(data.processes)
    audit.departments.set(data.departments)
    audit.team.set([u for u in data.team if u.pk != data.lead_auditor.pk])
    audit.auditees.set(data.auditees)


@transaction.atomic
def audit_update(*, actor, audit: Audit, data: AuditInput) -> Audit:
    """Edit an audit that has not started; the same rules as scheduling apply."""
    require("audits.edit_audit_plan", actor, audit)
    _check_audit_input(
        scope=data.scope, criteria_clauses=data.criteria_clauses, criteria_documents=data.criteria_documents,
        planned_start=data.planned_start, planned_end=data.planned_end, lead_auditor=data.lead_auditor,
        team=data.team, processes=data.processes, departments=data.departments,
    )
    if data.lead_auditor.pk != audit.lead_auditor_id:
        require("audits.change_lead_auditor", actor, audit)
    for f in ("audit_type", "title", "objectives", "scope", "site", "methods", "is_remote", "planned_start",
              "planned_end", "lead_auditor"):
        setattr(audit, f, getattr(data, f))
    _full_clean(audit)
    attribute(audit, actor, "Audit edited")
    audit.save()
    _set_m2m(audit, data)
    record_event(actor=actor, verb="audit.edited", obj=audit)
    return audit


@transaction.atomic
def audit_issue_plan(*, actor, audit: Audit):
    """planned → prepared: issue the audit plan (ISO 19011 6.3.2) as a PDF job
    and notify the auditees."""
    guard(audit, Audit.Status.PREPARED, actor=actor, rule="audits.issue_plan")
    missing = [str(n) for n, v in ((gettext("objectives"), audit.objectives), (gettext("scope"), audit.scope),
                                   (gettext("methods"), audit.methods)) if not v.strip()]
    if missing:
        raise DomainError(gettext("The audit plan needs: %(missing)s.") % {"missing": ", ".join(missing)})
    transition(audit, Audit.Status.PREPARED, actor=actor, verb="audit.plan_issued")
    job = jobs.request_job(kind="audit_plan_pdf", actor=actor, target=audit)
    url = audit.get_absolute_url()
    for user in audit.auditees.all():
        notify(user, title=said(gettext_noop("Audit plan %(number)s: %(title)s"), number=audit.number, title=audit.title),
               body=said(gettext_noop("You are an auditee. Planned %(start)s UTC at %(site)s."),
                         start=f"{audit.planned_start:%Y-%m-%d %H:%M}",
                         site=audit.site or said(gettext_noop("the site"))),
               url=url)
    return job


@transaction.atomic
def audit_start(*, actor, audit: Audit) -> Audit:
    """prepared → in progress (opening meeting held)."""
    guard(audit, Audit.Status.IN_PROGRESS, actor=actor, rule="audits.start_audit")
    audit.started_at = timezone.now()
    return transition(audit, Audit.Status.IN_PROGRESS, actor=actor, verb="audit.started")


@transaction.atomic
def audit_close(*, actor, audit: Audit) -> Audit:
    """reported → closed, only when every NC finding has a CAPA."""
    guard(audit, Audit.Status.CLOSED, actor=actor, rule="audits.close_audit")
    without = [str(f) for f in audit.findings.filter(finding_type__in=Finding.NC_TYPES, capa__isnull=True)]
    if without:
        raise DomainError(gettext("These nonconformities have no CAPA yet: %(findings)s.") % {"findings": ", ".join(without)})
    audit.closed_at = timezone.now()
    return transition(audit, Audit.Status.CLOSED, actor=actor, verb="audit.closed")


def proposal_defaults(*, programme, item, when: date) -> AuditInput:
    """What accepting a proposal schedules: the item's process or clause, the
    criteria its documents cite, an auditor with no conflict, 09:00–16:00."""
    check_in_window(when, "The proposed date")
    from documents.models import Document
    from qms.models import Clause

    processes, departments, clauses, documents = [], [], [], []
    if item.process_id:
        processes = [item.process]
        documents = list(Document.objects.filter(process=item.process).order_by("number")[:20])
        clauses = list(Clause.objects.filter(documents__in=documents).distinct())
        if not clauses:
            clauses = list(Clause.objects.filter(number__in=["4.4.1", "9.1.1"]))
        subject = item.process.name
    elif item.department_id:
        departments = [item.department]
        documents = list(Document.objects.filter(department=item.department).order_by("number")[:20])
        clauses = list(Clause.objects.filter(documents__in=documents).distinct())
        if not clauses:
            clauses = list(Clause.objects.filter(number__in=["4.4.1", "9.1.1"]))
        subject = item.department.name
    else:
        clauses = [item.clause]
        subject = f"{item.clause.number} {item.clause.title}"
        departments = [] if not programme.owner.department_id else [programme.owner.department]
    User = get_user_model()
    lead = None
    for user in User.objects.filter(is_active=True, groups__name=permissions.Role.AUDITOR).order_by("username"):
        if not impartiality_conflicts([user], processes, departments):
            lead = user
            break
    if lead is None:
        raise DomainError(gettext("No internal auditor is free of conflict for “%(subject)s”: edit the proposal and choose one.")
                          % {"subject": subject})
    tz = timezone.get_current_timezone()
    from datetime import datetime, time

    start = datetime.combine(when, time(9, 0), tzinfo=tz)
    return AuditInput(
        audit_type=Audit.Type.INTERNAL, title=f"Internal audit: {subject}", objectives=programme.objectives,
        scope=f"{subject}: activities, records and interfaces since the last audit", criteria_clauses=clauses,
        criteria_documents=documents, processes=processes, departments=departments, site="", methods=(
            "Interviews, observation of work, sampling of records; on site"), is_remote=False,
        planned_start=start, planned_end=start.replace(hour=16), lead_auditor=lead, team=[], auditees=(
            [item.process.owner] if item.process_id and item.process.owner_id else []),
        programme=programme,
    )


@transaction.atomic
def proposal_accept(*, actor, programme, item, when: date) -> Audit:
    """Accept a proposed audit as it stands (the quality manager may edit it instead)."""
    require("audits.manage_programme", actor, programme)
    audit = audit_schedule(actor=actor, data=proposal_defaults(programme=programme, item=item, when=when))
    record_event(actor=actor, verb="programme.proposal_accepted", obj=programme, comment=audit.number)
    return audit


# ------------------------------------------------------------------ question library
def _check_question_input(*, clause, text: str, guidance: str, exclude_pk=None) -> tuple[str, str]:
    text, guidance = (text or "").strip(), (guidance or "").strip()
    if clause is None:
        raise DomainError(gettext("Choose the clause the question audits."))
    if not text:
        raise DomainError(gettext("Write the question."))
    same = AuditQuestion.objects.filter(clause=clause, text=text).exclude(pk=exclude_pk)
    if same.exists():
        raise DomainError(gettext("Clause %(clause)s already has this question in the library.") % {"clause": clause.number})
    return text, guidance


@transaction.atomic
def question_create(*, actor, clause, text: str, guidance: str = "", position: int | None = None) -> AuditQuestion:
    """Add a question to the library; without a position it goes last in its clause."""
    require("audits.manage_question_library", actor)
    text, guidance = _check_question_input(clause=clause, text=text, guidance=guidance)
    if position is None:
        last = AuditQuestion.objects.filter(clause=clause).order_by("-position").values_list("position", flat=True).first()
        position = (last or 0) + 10
    question = AuditQuestion(clause=clause, text=text, guidance=guidance, position=position, created_by=actor)
    _full_clean(question)
    attribute(question, actor, "Question added to the library")
    question.save()
    record_event(actor=actor, verb="question.created", obj=question, comment=clause.number)
    return question


@transaction.atomic
def question_update(*, actor, question: AuditQuestion, clause, text: str, guidance: str = "",
                    position: int | None = None) -> AuditQuestion:
    """Reword a library question. Checklists already made keep the wording they copied."""
    require("audits.manage_question_library", actor)
    question = AuditQuestion.objects.select_for_update().get(pk=question.pk)
    text, guidance = _check_question_input(clause=clause, text=text, guidance=guidance, exclude_pk=question.pk)
    question.clause, question.text, question.guidance = clause, text, guidance
    if position is not None:
        question.position = position
    _full_clean(question)
    attribute(question, actor, "Question edited")
    question.save()
    record_event(actor=actor, verb="question.edited", obj=question, comment=clause.number)
    return question


@transaction.atomic
def question_set_active(*, actor, question: AuditQuestion, active: bool) -> AuditQuestion:
    """Deactivate a library question (it stays, since past checklists point at
    it, but is no longer put on checklists) or bring it back."""
    require("audits.manage_question_library", actor)
    question = AuditQuestion.objects.select_for_update().get(pk=question.pk)
    if question.is_active == active:
        raise DomainError(gettext("The question is already active.") if active else gettext("The question is already inactive."))
    question.is_active = active
    attribute(question, actor, "Question reactivated" if active else "Question deactivated")
    question.save()
    record_event(actor=actor, verb="question.reactivated" if active else "question.deactivated", obj=question,
                 from_state="inactive" if active else "active", to_state="active" if active else "inactive")
    return question


# ------------------------------------------------------------------ checklist
def _next_position(audit: Audit) -> int:
    return audit.checklist.order_by("-position").values_list("position", flat=True).first() or 0


def _item_from_library(audit: Audit, position: int, question: AuditQuestion) -> ChecklistItem:
    """A checklist item copies the library wording: the audit record must not
    change when the library is edited later. The link says where it came from."""
    return ChecklistItem(audit=audit, position=position, clause_id=question.clause_id, question=question.text,
                         guidance=question.guidance, library_question=question)


def _library_for(clauses) -> dict[int, list[AuditQuestion]]:
    """Active library questions per criteria clause, its sub-clauses' included, in clause order."""
    questions = list(AuditQuestion.objects.active().under(clauses).select_related("clause")
                     .order_by("clause__sort_key", "position", "id"))
    by_clause = {c.pk: [q for q in questions if q.is_under(c)] for c in clauses}
    return {pk: qs for pk, qs in by_clause.items() if qs}


def _check_checklist_editable(actor, audit: Audit) -> None:
    """The audit team (or the QM) edits the checklist, until the audit is reported (409 after)."""
    require("audits.edit_audit", actor, audit)
    if audit.is_done:
        raise DomainError(gettext("The checklist of a reported audit is locked."))


@transaction.atomic
def checklist_generate(*, actor, audit: Audit) -> int:
    """Each criteria clause gets the active library questions of itself and its
    sub-clauses (a generic question where the library has none), each document
    audited against one question; questions already on the checklist are kept
    and none is added twice. Returns the number added."""
    _check_checklist_editable(actor, audit)
    have_clauses = set(audit.checklist.exclude(clause=None).values_list("clause_id", flat=True))
    have_docs = set(audit.checklist.exclude(document=None).values_list("document_id", flat=True))
    have_questions = set(audit.checklist.exclude(library_question=None).values_list("library_question_id", flat=True))
    pos = _next_position(audit)
    scope = ", ".join(p.name for p in audit.processes.all()) or audit.scope[:80]
    clauses = list(audit.criteria_clauses.all())
    library = _library_for(clauses)
    new = []
    for clause in clauses:
        if clause.pk in library:
            for question in library[clause.pk]:
                if question.pk not in have_questions:
                    have_questions.add(question.pk)  # criteria 7.1.5 and 7.1.5.2: once
                    pos += 1
                    new.append(_item_from_library(audit, pos, question))
        elif clause.pk not in have_clauses:
            pos += 1
            new.append(ChecklistItem(audit=audit, position=pos, clause=clause, question=(
                f"{clause.number} {clause.title}: how does {scope} meet it? What evidence shows it?")))
    for doc in audit.criteria_documents.all():
        if doc.pk in have_docs:
            continue
        pos += 1
        new.append(ChecklistItem(audit=audit, position=pos, document=doc,
                                 question=f"Is {doc.number} “{doc.title}” followed as written? Sample its records."))
    for item in new:
        attribute(item, actor, "Checklist generated")
        item.save()
    record_event(actor=actor, verb="audit.checklist_generated", obj=audit, comment=f"{len(new)} questions added")
    return len(new)


@transaction.atomic
def checklist_add_from_library(*, actor, audit: Audit, questions) -> int:
    """Put chosen library questions on the checklist (active ones, of the
    audit's criteria clauses or their sub-clauses); those already on it are
    skipped. Returns the number added."""
    _check_checklist_editable(actor, audit)
    questions = list(questions)
    if not questions:
        raise DomainError(gettext("Choose at least one question."))
    criteria = list(audit.criteria_clauses.all())
    for q in questions:
        if not q.is_active:
            raise DomainError(gettext("“%(question)s” is no longer active in the library.") % {"question": q.text[:60]})
        if not any(q.is_under(c) for c in criteria):
            raise DomainError(gettext("Clause %(clause)s is not in this audit's criteria: add it to the criteria first.")
                              % {"clause": q.clause.number})
    have = set(audit.checklist.exclude(library_question=None).values_list("library_question_id", flat=True))
    pos = _next_position(audit)
    added = []
    for q in questions:
        if q.pk in have:
            continue
        have.add(q.pk)
        pos += 1
        item = _item_from_library(audit, pos, q)
        attribute(item, actor, "Question added from the library")
        item.save()
        added.append(item)
    record_event(actor=actor, verb="audit.checklist_questions_added", obj=audit,
                 comment=f"{len(added)} questions added from the library")
    return len(added)


@transaction.atomic
def checklist_item_save(*, actor, audit: Audit, item: ChecklistItem | None, question: str, clause=None) -> ChecklistItem:
    """Add or reword a checklist question."""
    _check_checklist_editable(actor, audit)
    if not question.strip():
        raise DomainError(gettext("The question is empty."))
    if item is None:
        pos = _next_position(audit) + 1
        item = ChecklistItem(audit=audit, position=pos)
    item.question = question.strip()
    item.clause = clause
    attribute(item, actor, "Question edited")
    item.save()
    return item


@transaction.atomic
def checklist_item_remove(*, actor, item: ChecklistItem) -> None:
    _check_checklist_editable(actor, item.audit)
    if item.answer or item.evidence.exists() or item.findings.exists():
        raise DomainError(gettext("An answered question, or one with evidence or findings, cannot be removed."))
    attribute(item, actor, "Question removed")
    item.delete()


@transaction.atomic
def checklist_answer(*, actor, item: ChecklistItem, answer: str, notes: str = "") -> ChecklistItem:
    """Answer a question: conforming, nonconforming, observation or not applicable."""
    audit = item.audit
    require("audits.answer_checklist", actor, audit)
    if answer not in (c for c in ChecklistItem.Answer.values if c):
        raise DomainError(gettext("Choose an answer."))
    if answer == ChecklistItem.Answer.NONCONFORMING and not notes.strip():
        raise DomainError(gettext("Say what was nonconforming in the notes."))
    item.answer, item.notes = answer, notes.strip()
    item.answered_by, item.answered_at = actor, timezone.now()
    attribute(item, actor, "Answered")
    item.save()
    return item


# ------------------------------------------------------------------ evidence
@dataclass
class EvidenceSpec:
    revision: object = None
    record: object = None
    upload: object = None
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return self.revision is None and self.record is None and self.upload is None


def _check_visible(actor, *, record=None, revision=None) -> None:
    """Evidence and source records are what the actor may see; one they may not
    see is answered as if it did not exist (as the forms answer)."""
    if record is not None and not allowed("records.view_record", actor, record):
        raise DomainError(gettext("No record numbered “%(number)s”.") % {"number": record.number})
    if revision is not None and not allowed("documents.view_revision", actor, revision):
        raise DomainError(gettext("No revision %(label)s of document “%(number)s”.") % {
            "label": revision.label, "number": revision.document.number})


def _add_evidence(*, actor, spec: EvidenceSpec, checklist_item=None, finding=None, action=None) -> list[Evidence]:
    _check_visible(actor, record=spec.record, revision=spec.revision)
    out = []
    owner = {"checklist_item": checklist_item, "finding": finding, "action": action}
    if spec.revision is not None:
        out.append(Evidence(kind=Evidence.Kind.REVISION, revision=spec.revision, note=spec.note, added_by=actor, **owner))
    if spec.record is not None:
        out.append(Evidence(kind=Evidence.Kind.RECORD, record=spec.record, note=spec.note, added_by=actor, **owner))
    if spec.upload is not None:
        try:
            stored = store_upload(spec.upload, folder="audits/evidence")
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        out.append(Evidence(kind=Evidence.Kind.FILE, file=stored.name, original_name=stored.original_name,
                            size=stored.size, sha256=stored.sha256, content_type_header=stored.content_type,
                            note=spec.note, added_by=actor, **owner))
    for ev in out:
        ev.save()
    return out


@transaction.atomic
def evidence_add(*, actor, spec: EvidenceSpec, checklist_item=None, finding=None, action=None) -> list[Evidence]:
    """Link evidence to a checklist answer, a finding or a CAPA action."""
    if spec.is_empty:
        raise DomainError(gettext("Choose a document revision, a record or a file."))
    if checklist_item is not None:
        require("audits.add_audit_evidence", actor, checklist_item.audit)
        target = checklist_item.audit
    elif finding is not None:
        require("audits.add_finding_evidence", actor, finding)
        target = finding
    else:
        require("audits.add_action_evidence", actor, action)
        target = action.capa
    out = _add_evidence(actor=actor, spec=spec, checklist_item=checklist_item, finding=finding, action=action)
    record_event(actor=actor, verb="evidence.added", obj=target, comment=", ".join(str(e) for e in out))
    return out


# ------------------------------------------------------------------ findings
@transaction.atomic
def finding_raise(*, actor, audit: Audit, finding_type: str, clause, statement: str, owner, process=None,
                  checklist_item=None, evidence: EvidenceSpec | None = None) -> Finding:
    """Record a finding. A clause is required; an NC needs evidence and opens a
    CAPA whose due date follows its severity."""
    require("audits.edit_audit", actor, audit)
    if audit.status != Audit.Status.IN_PROGRESS:
        raise DomainError(gettext("Findings are recorded while the audit is in progress."))
    if clause is None:
        raise DomainError(gettext("A finding needs the clause it refers to."))
    if not statement.strip():
        raise DomainError(gettext("Write the finding statement."))
    evidence = evidence or EvidenceSpec()
    is_nc = finding_type in Finding.NC_TYPES
    if checklist_item is not None and checklist_item.audit_id != audit.pk:
        raise DomainError(gettext("That question belongs to another audit."))
    carried = list(checklist_item.evidence.all()) if checklist_item is not None else []
    if is_nc and evidence.is_empty and not carried:
        raise DomainError(gettext("A nonconformity needs evidence: a document revision, a record or a file."))
    if process is None:
        procs = list(audit.processes.all()[:2])
        process = procs[0] if len(procs) == 1 else None  # counts towards the process's previous findings
    seq = (audit.findings.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    finding = Finding(audit=audit, seq=seq, finding_type=finding_type, clause=clause, process=process,
                      checklist_item=checklist_item, statement=statement.strip(), owner=owner, created_by=actor)
    _full_clean(finding)
    attribute(finding, actor, "Finding raised")
    finding.save()
    if not evidence.is_empty:
        _add_evidence(actor=actor, spec=evidence, finding=finding)
    _carry_evidence(actor=actor, items=carried, finding=finding)
    with override(None):  # the trail and the CAPA's title are stored: in the source language, never the actor's
        type_label = finding.get_finding_type_display()
    record_event(actor=actor, verb="finding.raised", obj=finding, to_state=finding.status, comment=type_label)
    if is_nc:
        severity = Capa.Severity.MAJOR if finding_type == Finding.Type.MAJOR_NC else Capa.Severity.MINOR
        _capa_create(
            actor=actor,
            source=Capa.Source.CERTIFICATION if audit.audit_type == Audit.Type.CERTIFICATION else Capa.Source.AUDIT_FINDING,
            title=f"{type_label} {finding}: {clause.number}",
            description=finding.statement, severity=severity, owner=owner, process=process, clause=clause,
            finding=finding,
        )
    return finding


def _carry_evidence(*, actor, items, finding) -> list[Evidence]:
    """The evidence of the checklist answer a finding is raised from becomes
    the finding's too: the same revision, record or stored file (same SHA-256)."""
    out = []
    for ev in items:
        copy = Evidence(
            kind=ev.kind, finding=finding, revision_id=ev.revision_id, record_id=ev.record_id, file=ev.file,
            original_name=ev.original_name, size=ev.size, sha256=ev.sha256,
            content_type_header=ev.content_type_header, note=(ev.note or "From the checklist answer")[:300],
            added_by=actor,
        )
        copy.save()
        out.append(copy)
    return out


@transaction.atomic
def finding_close(*, actor, finding: Finding, comment: str = "") -> Finding:
    """Close a finding (the quality manager or the audit team). A nonconformity
    closes only when its CAPA is verified effective."""
    require("audits.close_finding", actor, finding)
    return _close_finding(actor=actor, finding=finding, comment=comment)


def _close_finding(*, actor, finding: Finding, comment: str = "") -> Finding:
    if finding.is_nc:
        capa = getattr(finding, "capa", None)
        if capa is None or capa.status not in (Capa.Status.EFFECTIVE, Capa.Status.CLOSED):
            raise DomainError(gettext("Finding %(finding)s closes only when its CAPA is verified effective.") % {
                "finding": finding})
    finding.closed_at = timezone.now()
    return transition(finding, Finding.Status.CLOSED, actor=actor, verb="finding.closed", comment=comment)


# ------------------------------------------------------------------ report
REPORT_FIELDS = ("client", "dates_places", "summary", "conclusions", "criteria_met", "diverging_opinions", "sampling_note")


@transaction.atomic
def report_save(*, actor, audit: Audit, values: dict) -> AuditReport:
    """Write the draft report; an issued report is locked."""
    require("audits.edit_report", actor, audit)
    report, _ = AuditReport.objects.get_or_create(audit=audit)
    for f in REPORT_FIELDS:
        if f in values:
            setattr(report, f, (values[f] or "").strip())
    attribute(report, actor, "Report drafted")
    report.save()
    return report


def report_issue(*, actor, audit: Audit, password: str, comment: str = "") -> AuditReport:
    """in progress → reported: the lead auditor signs and issues the report
    (ISO 19011 6.5); it is then locked, rendered as PDF and distributed."""
    require("audits.issue_report", actor, audit)
    report = AuditReport.objects.filter(audit=audit).first()
    if report is None or report.status == AuditReport.Status.ISSUED:
        raise DomainError(gettext("There is no draft report to issue."))
    missing = report.missing_parts()
    if missing:
        raise DomainError(gettext("The report cannot be issued; these parts are empty: %(missing)s.") % {
            "missing": ", ".join(missing)})
    authenticate_signer(actor, password, obj=report, meaning=Meaning.ISSUED)
    with transaction.atomic():
        report = AuditReport.objects.select_for_update().get(pk=report.pk)
        if report.status == AuditReport.Status.ISSUED:
            raise DomainError(gettext("The report is already issued."))
        report.status, report.issued_at, report.issued_by = AuditReport.Status.ISSUED, timezone.now(), actor
        attribute(report, actor, "Report issued")
        report.save()
        sign(signer=actor, password=password, obj=report, meaning=Meaning.ISSUED, comment=comment)
        record_event(actor=actor, verb="report.issued", obj=report, from_state="draft", to_state="issued")
        transition(audit, Audit.Status.REPORTED, actor=actor, verb="audit.reported")
        jobs.request_job(kind="audit_report_pdf", actor=actor, target=report)
        _distribute(actor, report)
    return report


def _distribute(actor, report: AuditReport) -> None:
    """Notify the auditees' managers and the quality managers; log each."""
    audit = report.audit
    recipients: dict[int, tuple[object, str]] = {}
    for d in audit.departments.select_related("manager"):
        if d.manager:
            recipients.setdefault(d.manager.pk, (d.manager, f"Manager of {d.code}"))
    for p in audit.processes.select_related("owner", "department__manager"):
        if p.department and p.department.manager:
            recipients.setdefault(p.department.manager.pk, (p.department.manager, f"Manager of {p.department.code}"))
        if p.owner:
            recipients.setdefault(p.owner.pk, (p.owner, f"Owner of {p.code}"))
    User = get_user_model()
    for qm in User.objects.filter(is_active=True, groups__name=permissions.Role.QUALITY_MANAGER).distinct():
        recipients.setdefault(qm.pk, (qm, "Quality manager"))
    url = audit.get_absolute_url()
    for user, role in recipients.values():
        ReportDistribution.objects.create(report=report, recipient=user, role=role)
        notify(user, title=said(gettext_noop("Audit report issued: %(number)s"), number=audit.number), body=audit.title,
               url=url)
    record_event(actor=actor, verb="report.distributed", obj=report,
                 comment=", ".join(f"{u.display_name} ({r})" for u, r in recipients.values()))


# ------------------------------------------------------------------ CAPA
def _next_capa_number(year: int) -> str:
    prefix = f"NC-{year}-"
    last = Capa.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _capa_create(*, actor, source, title, description, severity, owner, process=None, clause=None,
                 finding=None, source_record=None, due_date=None, origin=None) -> Capa:
    now = timezone.now()
    capa = Capa(
        number=_next_capa_number(now.year), source=source, finding=finding, source_record=source_record,
        origin=origin, origin_label=str(origin)[:200] if origin is not None else "",
        process=process, clause=clause, title=title[:200], description=description, severity=severity,
        owner=owner, raised_by=actor, raised_at=now,
        due_date=due_date or (timezone.localdate() + timedelta(days=capa_due_days(severity))),
    )
    _full_clean(capa)
    attribute(capa, actor, "Nonconformity raised")
    capa.save()
    with override(None):  # stored in the trail: in the source language, never the actor's
        source_label = capa.get_source_display()
    record_event(actor=actor, verb="capa.raised", obj=capa, to_state=capa.status, comment=source_label)
    notify(owner, title=said(gettext_noop("%(number)s assigned to you"), number=capa.number), body=capa.title,
           url=capa.get_absolute_url())
    return capa


@transaction.atomic
def capa_raise(*, actor, source: str, title: str, description: str, severity: str, owner, process=None,
               clause=None, source_record=None, due_date=None, origin=None) -> Capa:
    """Raise a nonconformity from any source other than an internal audit finding.

    ``origin`` is the object of another app that raised it (a risk, a supplier,
    an instrument, a complaint): the CAPA links back to it and keeps its name
    as it was; the calling app checks that the actor may see it.
    """
    require("audits.raise_capa", actor)
    if source == Capa.Source.AUDIT_FINDING:
        raise DomainError(gettext("Audit findings open their CAPA from the audit."))
    if source in (Capa.Source.COMPLAINT, Capa.Source.NC_OUTPUT) and source_record is None and origin is None:
        raise DomainError(gettext("Link the complaint or nonconforming-output record."))
    if origin is not None and getattr(origin, "pk", None) is None:
        raise DomainError(gettext("The object that raised the CAPA must be saved first."))
    if not title.strip() or not description.strip():
        raise DomainError(gettext("Title and description are required."))
    _check_visible(actor, record=source_record)
    return _capa_create(actor=actor, source=source, title=title, description=description, severity=severity,
                        owner=owner, process=process, clause=clause, source_record=source_record, due_date=due_date,
                        origin=origin)


@transaction.atomic
def capa_reassign(*, actor, capa: Capa, owner, reason: str) -> Capa:
    """Give a CAPA a new owner (the owner left, or the problem belongs to another
    process): the quality manager, with a reason, while it is still being worked on.
    Open actions keep their own owners; the new owner is told."""
    capa = Capa.objects.select_for_update().select_related("owner").get(pk=capa.pk)
    require("audits.reassign_capa", actor, capa)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext("Say why the CAPA changes owner."))
    if owner is None or not owner.is_active:
        raise DomainError(gettext("Choose an active user as the new owner."))
    if owner.pk == capa.owner_id:
        raise DomainError(gettext("%(name)s already owns %(number)s.") % {"name": owner.display_name, "number": capa.number})
    before = capa.owner
    capa.owner = owner
    attribute(capa, actor, reason)
    capa.save(update_fields=["owner"])
    record_event(actor=actor, verb="capa.reassigned", obj=capa, comment=reason,
                 data={"from": before.username, "to": owner.username})
    notify(owner, title=said(gettext_noop("%(number)s assigned to you"), number=capa.number), body=capa.title,
           url=capa.get_absolute_url())
    return capa


def capas_reassign(*, actor, capas, owner, reason: str) -> list[bulk.RowResult]:
    """The bulk form of `capa_reassign` (qms.bulk): each CAPA on its own, with the same
    reason; one the rules refuse (closed, effective, already the owner's) is reported."""
    if not (reason or "").strip():
        raise DomainError(gettext("Say why the CAPA changes owner."))
    return bulk.run(sorted(capas, key=lambda c: c.pk),
                    lambda capa: capa_reassign(actor=actor, capa=capa, owner=owner, reason=reason))


@transaction.atomic
def capa_record_correction(*, actor, capa: Capa, containment: str, containment_date, correction: str,
                           correction_date) -> Capa:
    """Containment and correction (ISO 9001 10.2.1 a): what was done and when."""
    require("audits.edit_capa", actor, capa)
    if (containment.strip() and not containment_date) or (correction.strip() and not correction_date):
        raise DomainError(gettext("Give the date of each containment or correction."))
    raised_on = timezone.localtime(capa.raised_at).date() if capa.raised_at else timezone.localdate()
    for label, when in (("containment", containment_date), ("correction", correction_date)):
        if when is not None and when < raised_on:
            message = (gettext("The containment date is before the nonconformity was raised (%(date)s).")
                       if label == "containment" else
                       gettext("The correction date is before the nonconformity was raised (%(date)s)."))
            raise DomainError(message % {"date": f"{raised_on:%Y-%m-%d}"})
        if when is not None and when > timezone.localdate():
            raise DomainError(gettext("The containment date is in the future: record what was done, when it is done.")
                              if label == "containment" else
                              gettext("The correction date is in the future: record what was done, when it is done."))
    capa.containment, capa.containment_date = containment.strip(), containment_date
    capa.correction, capa.correction_date = correction.strip(), correction_date
    attribute(capa, actor, "Containment and correction recorded")
    capa.save()
    record_event(actor=actor, verb="capa.correction_recorded", obj=capa)
    return capa


@transaction.atomic
def capa_analyse(*, actor, capa: Capa, ca_needed: bool, justification: str, whys: list[str] | None = None,
                 root_cause: str = "") -> Capa:
    """open → analysed: decide whether corrective action is needed (with a
    justification) and, if so, record the 5-whys root cause (ISO 9001 10.2.1 b)."""
    guard(capa, Capa.Status.ANALYSED, actor=actor, rule="audits.analyse_capa")
    whys = [w.strip() for w in (whys or []) if w and w.strip()]
    if not justification.strip():
        raise DomainError(gettext("Justify the decision whether corrective action is needed."))
    if ca_needed and (not whys or not root_cause.strip()):
        raise DomainError(gettext("Corrective action needs a root cause: answer at least one “why” and state the root cause."))
    capa.ca_needed, capa.ca_justification = ca_needed, justification.strip()
    capa.whys, capa.root_cause = whys, root_cause.strip()
    return transition(capa, Capa.Status.ANALYSED, actor=actor, verb="capa.analysed")


@transaction.atomic
def capa_action_add(*, actor, capa: Capa, description: str, owner, due_date) -> CapaAction:
    """Add an action to the plan. No root cause, no action plan."""
    require("audits.plan_capa_actions", actor, capa)
    refusal = capa_action_refusal(capa)
    if refusal:
        raise DomainError(refusal)
    if not description.strip() or due_date is None:
        raise DomainError(gettext("An action needs a description and a due date."))
    if due_date < timezone.localdate():
        raise DomainError(gettext("The action's due date is in the past."))
    check_in_window(due_date, "The action's due date")
    action = CapaAction(capa=capa, description=description.strip(), owner=owner, due_date=due_date)
    attribute(action, actor, "Action planned")
    action.save()
    record_event(actor=actor, verb="capa.action_added", obj=capa, comment=f"{action.description} → {owner.display_name}")
    notify(owner, title=said(gettext_noop("CAPA action for you: %(number)s"), number=capa.number),
           body=action.description, url=capa.get_absolute_url())
    return action


@transaction.atomic
def capa_start_actions(*, actor, capa: Capa) -> Capa:
    """analysed → implementing: the action plan is agreed."""
    guard(capa, Capa.Status.IMPLEMENTING, actor=actor, rule="audits.start_capa_actions")
    if not capa.root_cause.strip():
        raise DomainError(gettext("No action plan without a root cause."))
    if not capa.actions.exists():
        raise DomainError(gettext("Add at least one action to the plan."))
    return transition(capa, Capa.Status.IMPLEMENTING, actor=actor, verb="capa.actions_started")


@transaction.atomic
def capa_action_complete(*, actor, action: CapaAction, note: str, evidence: EvidenceSpec | None = None) -> CapaAction:
    """The action owner records completion with its evidence."""
    require("audits.complete_action", actor, action)
    if not note.strip():
        raise DomainError(gettext("Describe what was done (the completion evidence)."))
    action.completion_note, action.completed_by, action.completed_at = note.strip(), actor, timezone.now()
    transition(action, CapaAction.Status.DONE, actor=actor, verb="capa_action.completed")
    if evidence is not None and not evidence.is_empty:
        _add_evidence(actor=actor, spec=evidence, action=action)
    return action


@transaction.atomic
def capa_submit_verification(*, actor, capa: Capa, method: str, due) -> Capa:
    """→ verifying: all actions done (or no CA needed and the correction made);
    plan the effectiveness check (method and due date)."""
    guard(capa, Capa.Status.VERIFYING, actor=actor, rule="audits.edit_capa")
    refusal = capa_check_refusal(capa)
    if refusal:
        raise DomainError(refusal)
    if not method.strip() or due is None:
        raise DomainError(gettext("Say how and by when effectiveness will be checked."))
    if due < timezone.localdate():
        raise DomainError(gettext("The effectiveness check cannot be due in the past."))
    check_in_window(due, "The effectiveness check's due date")
    capa.effectiveness_method, capa.effectiveness_due = method.strip(), due
    return transition(capa, Capa.Status.VERIFYING, actor=actor, verb="capa.submitted_for_verification")


def capa_implementers(capa: Capa) -> set[int]:
    ids = set()
    for a in capa.actions.all():
        ids.add(a.owner_id)
        if a.completed_by_id:
            ids.add(a.completed_by_id)
    return ids


@transaction.atomic
def capa_verify(*, actor, capa: Capa, result: str, notes: str, early_reason: str = "") -> Capa:
    """The effectiveness check, by someone who implemented none of the actions.
    Effective → the NC finding closes; not effective → the CAPA reopens.
    Before its planned date the check needs a stated reason, which the trail keeps."""
    require("audits.verify_capa", actor, capa)
    if actor.pk in capa_implementers(capa):
        raise PermissionRefused(gettext("You implemented an action of this CAPA; someone else must check its effectiveness."))
    if result not in (Capa.Result.EFFECTIVE, Capa.Result.NOT_EFFECTIVE):
        raise DomainError(gettext("Choose effective or not effective."))
    if not notes.strip():
        raise DomainError(gettext("Record what the check found."))
    if capa.effectiveness_due and timezone.localdate() < capa.effectiveness_due:
        if not early_reason.strip():
            raise DomainError(gettext("The effectiveness check is planned for %(date)s: "
                                      "wait for it, or state why it is checked early.")
                              % {"date": f"{capa.effectiveness_due:%Y-%m-%d}"})
        notes = f"Checked early (planned {capa.effectiveness_due:%Y-%m-%d}): {early_reason.strip()}\n{notes.strip()}"
    capa.effectiveness_result, capa.effectiveness_notes = result, notes.strip()
    capa.verified_by, capa.verified_at = actor, timezone.now()
    if result == Capa.Result.NOT_EFFECTIVE:
        capa.reopen_count += 1
        transition(capa, Capa.Status.OPEN, actor=actor, verb="capa.reopened", comment=notes)
        return capa
    transition(capa, Capa.Status.EFFECTIVE, actor=actor, verb="capa.verified_effective", comment=notes)
    if capa.finding_id and capa.finding.status == Finding.Status.OPEN:
        # The verifier need not be on the audit team: the CAPA's verified effectiveness closes its finding.
        _close_finding(actor=actor, finding=capa.finding, comment=f"CAPA {capa.number} verified effective")
    return capa


def capa_close(*, actor, capa: Capa, password: str, comment: str = "") -> Capa:
    """effective → closed, signed by the quality manager; refused with open actions."""
    guard(capa, Capa.Status.CLOSED, actor=actor, rule="audits.close_capa")
    if capa.actions.filter(status=CapaAction.Status.OPEN).exists():
        raise DomainError(gettext("Open actions: the CAPA cannot close."))
    authenticate_signer(actor, password, obj=capa, meaning=Meaning.CLOSED)
    with transaction.atomic():
        capa.closed_at = timezone.now()
        transition(capa, Capa.Status.CLOSED, actor=actor, verb="capa.closed", comment=comment)
        sign(signer=actor, password=password, obj=capa, meaning=Meaning.CLOSED, comment=comment)
    return capa


# ------------------------------------------------------------------ calendar
@transaction.atomic
def calendar_token_for(*, user, renew: bool = False) -> CalendarToken:
    """The user's secret feed token; renewing invalidates old subscription URLs."""
    token = CalendarToken.objects.select_for_update().filter(user=user).first()
    if token is None:
        token = CalendarToken.objects.create(user=user, token=secrets.token_urlsafe(32))
        record_event(actor=user, verb="calendar.token_created", obj=user)
    elif renew:
        token.token = secrets.token_urlsafe(32)
        token.created_at = timezone.now()
        token.save()
        record_event(actor=user, verb="calendar.token_renewed", obj=user)
    return token


def feed_url(name: str, token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[token])
