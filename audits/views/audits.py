"""Audit programme, audits, checklist, findings, reports, calendar and feeds.
Short views: permission check, form → service → redirect or render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits import ical, selectors, services
from audits.forms import (
    AnswerForm,
    AuditForm,
    EvidenceForm,
    FindingForm,
    LibraryPickForm,
    LibraryQuestionForm,
    ProgrammeForm,
    ProgrammeItemForm,
    QuestionForm,
    ReportForm,
)
from audits.models import (
    Audit,
    AuditProgramme,
    AuditQuestion,
    AuditReport,
    CalendarToken,
    ChecklistItem,
    Evidence,
    Finding,
    ProgrammeItem,
)
from qms import permissions, scope
from qms.audit import trail_for
from qms.dates import in_window
from qms.errors import DomainError
from qms.models import Clause, Department, Process
from qms.rules import allowed, require
from qms.signatures import SignatureForm, SignatureRepeated, signatures_for
from qms.uploads import file_response


def _int_or_none(value) -> int | None:
    """A database id from a query or form parameter, or None ("abc", "", huge, negative)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _fail(request, exc: DomainError):
    messages.error(request, exc.message)


# ------------------------------------------------------------------ lookups
def _get_audit_for_user(request, pk) -> Audit:
    audit = get_object_or_404(selectors.audit_detail_qs(), pk=pk)
    if not allowed("audits.view_audit", request.user, audit):
        raise Http404("No such audit.")
    return audit


def _get_programme_for_user(request, pk) -> AuditProgramme:
    require("qms.view_aggregates", request.user)
    return get_object_or_404(AuditProgramme.objects.select_related("owner"), pk=pk)


# ------------------------------------------------------------------ audits
@require_GET
def index(request):
    require("audits.view_audits", request.user)
    status, audit_type, q = request.GET.get("status", ""), request.GET.get("type", ""), request.GET.get("q", "").strip()
    page = Paginator(selectors.audit_list(request.user, status=status, audit_type=audit_type, q=q), 50).get_page(
        request.GET.get("page"))
    return render(request, "audits/audit_list.html", {
        "page": page, "status": status, "audit_type": audit_type, "q": q,
        "statuses": Audit.Status.choices, "types": Audit.Type.choices,
    })


@require_http_methods(["GET", "POST"])
def audit_create(request):
    require("audits.schedule_audit", request.user)
    initial = {}
    item_id = _int_or_none(request.GET.get("item"))
    if request.method == "GET" and item_id is not None and request.GET.get("date"):
        item = get_object_or_404(ProgrammeItem.objects.select_related("programme__owner", "process", "clause"),
                                 pk=item_id)
        try:
            initial = AuditForm.initial_from_input(services.proposal_defaults(
                programme=item.programme, item=item, when=date.fromisoformat(request.GET["date"])))
        except (DomainError, ValueError) as exc:
            messages.warning(request, getattr(exc, "message", str(exc)))
            initial = {"programme": item.programme, "processes": [item.process] if item.process else []}
    form = AuditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            audit = services.audit_schedule(actor=request.user, data=form.to_input())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Audit %(number)s scheduled.") % {"number": audit.number})
            return redirect(audit)
    return render(request, "audits/audit_form.html", {"form": form, "title": gettext("Schedule an audit")})


@require_http_methods(["GET", "POST"])
def audit_edit(request, pk):
    audit = _get_audit_for_user(request, pk)
    require("audits.edit_audit", request.user, audit)
    form = AuditForm(request.POST or None, initial=AuditForm.initial_from(audit))
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_update(actor=request.user, audit=audit, data=form.to_input())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Audit saved."))
            return redirect(audit)
    return render(request, "audits/audit_form.html", {"form": form, "audit": audit, "title": gettext("Edit %(number)s") % {"number": audit.number}})


@require_GET
def audit_detail(request, pk):
    audit = _get_audit_for_user(request, pk)
    report = AuditReport.objects.filter(audit=audit).first()
    return render(request, "audits/audit_detail.html", {
        "audit": audit, "checklist": selectors.audit_checklist(audit), "findings": selectors.audit_findings(audit),
        "report": report,
        "can_edit": allowed("audits.edit_audit", request.user, audit),
        "can_findings": allowed("audits.record_findings", request.user, audit),
        "can_close": allowed("audits.close_audit", request.user, audit),
        "question_form": QuestionForm(audit=audit), "plan_job": selectors.latest_job("audit_plan_pdf", audit.pk),
        "entries": trail_for(audit) if allowed("qms.view_trail", request.user, audit) else None,
    })


def _transition(request, pk, func, ok: str, **kw):
    audit = _get_audit_for_user(request, pk)
    try:
        func(actor=request.user, audit=audit, **kw)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, ok)
    return redirect(audit)


@require_POST
def audit_issue_plan(request, pk):
    return _transition(request, pk, services.audit_issue_plan,
                       gettext("Audit plan issued; auditees notified; PDF on its way."))


@require_POST
def audit_start(request, pk):
    return _transition(request, pk, services.audit_start, gettext("Audit started."))


@require_POST
def audit_close(request, pk):
    return _transition(request, pk, services.audit_close, gettext("Audit closed."))


@require_POST
def checklist_generate(request, pk):
    audit = _get_audit_for_user(request, pk)
    try:
        n = services.checklist_generate(actor=request.user, audit=audit)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, ngettext("%(count)s question added to the checklist.",
                                            "%(count)s questions added to the checklist.", n) % {"count": n})
    return redirect(reverse("audits:audit-detail", args=[audit.pk]) + "#checklist")


@require_POST
def checklist_add(request, pk):
    audit = _get_audit_for_user(request, pk)
    form = QuestionForm(request.POST, audit=audit)
    if form.is_valid():
        try:
            services.checklist_item_save(actor=request.user, audit=audit, item=None,
                                         question=form.cleaned_data["question"], clause=form.cleaned_data["clause"])
        except DomainError as exc:
            _fail(request, exc)
    else:
        messages.error(request, gettext("Write the question."))
    return redirect(reverse("audits:audit-detail", args=[audit.pk]) + "#checklist")


@require_http_methods(["GET", "POST"])
def checklist_library(request, pk):
    """Pick questions from the library for this audit's checklist."""
    audit = _get_audit_for_user(request, pk)
    require("audits.edit_checklist", request.user, audit)
    form = LibraryPickForm(request.POST if request.method == "POST" else None, audit=audit)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.checklist_add_from_library(actor=request.user, audit=audit,
                                                    questions=form.cleaned_data["questions"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, ngettext("%(count)s question added to the checklist.",
                                            "%(count)s questions added to the checklist.", n) % {"count": n})
            return redirect(reverse("audits:audit-detail", args=[audit.pk]) + "#checklist")
    on_checklist = set(audit.checklist.exclude(library_question=None).values_list("library_question_id", flat=True))
    chosen = {str(v) for v in form["questions"].value() or []}
    questions = list(form.fields["questions"].queryset)
    return render(request, "audits/checklist_library.html", {
        "audit": audit, "form": form, "questions": questions, "on_checklist": on_checklist, "chosen": chosen,
        "n_free": sum(q.pk not in on_checklist for q in questions),
    }, status=400 if form.errors else 200)


def _get_item_for_user(request, pk) -> ChecklistItem:
    item = get_object_or_404(ChecklistItem.objects.select_related("audit", "clause", "document"), pk=pk)
    _get_audit_for_user(request, item.audit_id)
    return item


@require_http_methods(["GET", "POST"])
def checklist_item(request, pk):
    """Answer one question (page or htmx fragment), edit its wording, add evidence."""
    item = _get_item_for_user(request, pk)
    audit = item.audit
    require("audits.edit_audit", request.user, audit)
    form = AnswerForm(request.POST or None, request.FILES or None, user=request.user,
                      initial={"answer": item.answer, "notes": item.notes})
    qform = QuestionForm(initial={"question": item.question, "clause": item.clause}, audit=audit)
    if request.method == "POST":
        if request.POST.get("op") == "reword":
            qform = QuestionForm(request.POST, audit=audit)
            if qform.is_valid():
                try:
                    services.checklist_item_save(actor=request.user, audit=audit, item=item,
                                                 question=qform.cleaned_data["question"], clause=qform.cleaned_data["clause"])
                    messages.success(request, gettext("Question saved."))
                    return redirect("audits:checklist-item", pk=item.pk)
                except DomainError as exc:
                    qform.add_error(None, exc.message)
        elif form.is_valid():
            try:
                services.checklist_answer(actor=request.user, item=item, answer=form.cleaned_data["answer"],
                                          notes=form.cleaned_data["notes"])
                spec = form.evidence_spec()
                if not spec.is_empty:
                    services.evidence_add(actor=request.user, spec=spec, checklist_item=item)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, gettext("Answer saved."))
                return redirect(reverse("audits:audit-detail", args=[audit.pk]) + f"#q{item.pk}")
    evidence = item.evidence.select_related("revision__document", "record")
    template = "audits/_checklist_answer.html" if request.htmx else "audits/checklist_item.html"
    return render(request, template, {"item": item, "audit": audit, "form": form, "qform": qform, "evidence": evidence})


@require_POST
def checklist_item_remove(request, pk):
    item = _get_item_for_user(request, pk)
    try:
        services.checklist_item_remove(actor=request.user, item=item)
        messages.success(request, gettext("Question removed."))
    except DomainError as exc:
        _fail(request, exc)
    return redirect(reverse("audits:audit-detail", args=[item.audit_id]) + "#checklist")


# ------------------------------------------------------------------ findings
@require_http_methods(["GET", "POST"])
def finding_create(request, pk):
    audit = _get_audit_for_user(request, pk)
    require("audits.record_findings", request.user, audit)
    initial = {}
    if _int_or_none(request.GET.get("item")) is not None:
        item = audit.checklist.filter(pk=_int_or_none(request.GET["item"])).first()
        if item:
            initial = {"checklist_item": item, "clause": item.clause, "statement": item.notes}
    form = FindingForm(request.POST or None, request.FILES or None, audit=audit, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            finding = services.finding_raise(
                actor=request.user, audit=audit, finding_type=d["finding_type"], clause=d["clause"],
                statement=d["statement"], owner=d["owner"], process=d["process"], checklist_item=d["checklist_item"],
                evidence=form.evidence_spec(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if finding.is_nc:
                msg = gettext("Finding %(finding)s recorded. CAPA %(capa)s opened, due %(date)s.") % {
                    "finding": finding, "capa": finding.capa.number, "date": f"{finding.capa.due_date:%Y-%m-%d}"}
            else:
                msg = gettext("Finding %(finding)s recorded.") % {"finding": finding}
            messages.success(request, msg)
            return redirect(audit)
    return render(request, "audits/finding_form.html", {"form": form, "audit": audit})


def _get_finding_for_user(request, pk) -> Finding:
    finding = get_object_or_404(Finding.objects.select_related("audit", "clause", "owner", "process", "created_by"), pk=pk)
    _get_audit_for_user(request, finding.audit_id)
    return finding


@require_GET
def finding_detail(request, pk):
    finding = _get_finding_for_user(request, pk)
    return render(request, "audits/finding_detail.html", {
        "finding": finding, "capa": getattr(finding, "capa", None),
        "evidence": finding.evidence.select_related("revision__document", "record"),
        "can_edit": allowed("audits.add_finding_evidence", request.user, finding),
        "evidence_form": EvidenceForm(),
        "entries": trail_for(finding) if allowed("qms.view_trail", request.user, finding) else None,
    })


@require_POST
def finding_evidence_add(request, pk):
    finding = _get_finding_for_user(request, pk)
    form = EvidenceForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        try:
            services.evidence_add(actor=request.user, spec=form.evidence_spec(), finding=finding)
            messages.success(request, gettext("Evidence added."))
        except DomainError as exc:
            _fail(request, exc)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(finding)


@require_POST
def finding_close(request, pk):
    finding = _get_finding_for_user(request, pk)
    try:
        services.finding_close(actor=request.user, finding=finding, comment=request.POST.get("comment", ""))
        messages.success(request, gettext("Finding %(finding)s closed.") % {"finding": finding})
    except DomainError as exc:
        _fail(request, exc)
    return redirect(finding)


@require_GET
def evidence_download(request, pk):
    ev = get_object_or_404(Evidence.objects.select_related("checklist_item", "finding", "action__capa"), pk=pk,
                           kind=Evidence.Kind.FILE)
    if ev.checklist_item_id:
        _get_audit_for_user(request, ev.checklist_item.audit_id)
    elif ev.finding_id:
        _get_audit_for_user(request, ev.finding.audit_id)
    elif not allowed("audits.view_capa", request.user, ev.action.capa):
        raise Http404("No such file.")
    return file_response(ev.file, download_name=ev.original_name, content_type=ev.content_type_header)


# ------------------------------------------------------------------ report
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    audit = _get_audit_for_user(request, pk)
    report = AuditReport.objects.filter(audit=audit).select_related("issued_by").first()
    can_edit = allowed("audits.edit_report", request.user, audit)
    if request.method == "POST" and not can_edit:
        require("audits.edit_report", request.user, audit)  # refused, with the rule's reason
    if report is None and not can_edit:
        raise Http404("No report yet.")
    form = ReportForm(request.POST or None, instance=report or AuditReport(audit=audit))
    if request.method == "POST" and form.is_valid():
        try:
            services.report_save(actor=request.user, audit=audit, values=form.cleaned_data)
            messages.success(request, gettext("Draft report saved."))
            return redirect("audits:report", pk=audit.pk)
        except DomainError as exc:
            form.add_error(None, exc.message)
    job = selectors.latest_job("audit_report_pdf", report.pk) if report is not None else None
    return render(request, "audits/report.html", {
        "audit": audit, "report": report, "form": form, "can_edit": can_edit,
        "missing": report.missing_parts() if report else [],
        "can_issue": allowed("audits.issue_report", request.user, audit) and report is not None,
        "sig_form": SignatureForm(user=request.user, obj=report), "sig_action": reverse("audits:report-issue", args=[audit.pk]),
        "sig_meaning_label": "Issued", "signatures": signatures_for(report) if report else [],
        "distribution": report.distribution.select_related("recipient") if report else [],
        "findings": audit.findings.select_related("clause", "capa"), "job": job,
    })


@require_POST
def report_issue(request, pk):
    audit = _get_audit_for_user(request, pk)
    form = SignatureForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("shown", [])) or gettext("Enter your user name and password to sign."))
        return redirect("audits:report", pk=audit.pk)
    try:
        with form.signing():
            services.report_issue(actor=request.user, audit=audit, password=form.cleaned_data["password"],
                                  comment=form.cleaned_data["comment"])
    except SignatureRepeated:
        pass  # a double click: the first post issued it; answer as it did
    except DomainError as exc:
        _fail(request, exc)
        return redirect("audits:report", pk=audit.pk)
    messages.success(request, gettext("Report issued, signed and distributed."))
    return redirect("audits:report", pk=audit.pk)


# ------------------------------------------------------------------ question library
def _require_library(request, *, manage: bool = False) -> None:
    require("audits.manage_question_library" if manage else "audits.view_question_library", request.user)


def _get_question(request, pk) -> AuditQuestion:
    _require_library(request, manage=True)
    return get_object_or_404(AuditQuestion.objects.select_related("clause", "created_by"), pk=pk)


def _library_url(question: AuditQuestion) -> str:
    return reverse("audits:question-list") + f"?clause={question.clause.number}#question-{question.pk}"


@require_GET
def question_list(request):
    _require_library(request)
    number, q = request.GET.get("clause", "").strip(), request.GET.get("q", "").strip()
    show = request.GET.get("show", "active")
    if show not in ("active", "inactive", "all"):
        show = "active"
    clause = Clause.objects.filter(number=number).first() if number else None
    if number and clause is None:
        raise Http404("No such clause.")
    page = Paginator(selectors.question_library(clause=clause, q=q, show=show), 100).get_page(request.GET.get("page"))
    return render(request, "audits/question_list.html", {
        "page": page, "clause": clause, "q": q, "show": show,
        "clauses": Clause.objects.only("number", "title"),
        "can_manage": allowed("audits.manage_question_library", request.user),
    })


@require_http_methods(["GET", "POST"])
def question_create(request):
    _require_library(request, manage=True)
    initial = {}
    number = request.GET.get("clause", "").strip()
    if number:
        initial["clause"] = Clause.objects.filter(number=number).first()
    form = LibraryQuestionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Question added to %(clause)s.") % {"clause": question.clause.number})
            return redirect(_library_url(question))
    return render(request, "audits/question_form.html", {"form": form, "title": gettext("Add a question to the library")},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def question_edit(request, pk):
    question = _get_question(request, pk)
    form = LibraryQuestionForm(request.POST if request.method == "POST" else None,
                               initial=LibraryQuestionForm.initial_from(question))
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(actor=request.user, question=question, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Question saved. Checklists already made keep their wording."))
            return redirect(_library_url(question))
    return render(request, "audits/question_form.html", {
        "form": form, "question": question, "title": gettext("Edit a question of %(clause)s") % {"clause": question.clause.number},
        "n_uses": question.checklist_items.count(),
        "entries": trail_for(question) if allowed("qms.view_trail", request.user, question) else None,
    }, status=400 if form.errors else 200)


def _set_active(request, pk, active: bool):
    question = _get_question(request, pk)
    try:
        services.question_set_active(actor=request.user, question=question, active=active)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, gettext("Question reactivated.") if active else
                         gettext("Question deactivated: it is kept, but no longer put on checklists."))
    return redirect(_library_url(question))


@require_POST
def question_deactivate(request, pk):
    return _set_active(request, pk, False)


@require_POST
def question_activate(request, pk):
    return _set_active(request, pk, True)


# ------------------------------------------------------------------ programme
@require_GET
def programme_list(request):
    require("qms.view_aggregates", request.user)
    return render(request, "audits/programme_list.html", {
        "programmes": AuditProgramme.objects.select_related("owner"),
        "can_manage": allowed("audits.manage_programme", request.user),
    })


@require_http_methods(["GET", "POST"])
def programme_create(request):
    require("audits.manage_programme", request.user)
    year = timezone.localdate().year
    form = ProgrammeForm(request.POST or None, initial={
        "title": f"Internal audit programme {year}", "period_start": date(year, 1, 1), "period_end": date(year, 12, 31)})
    if request.method == "POST" and form.is_valid():
        try:
            prog = services.programme_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(prog)
    return render(request, "audits/programme_form.html", {"form": form})


@require_GET
def programme_detail(request, pk):
    prog = _get_programme_for_user(request, pk)
    rows = selectors.coverage(prog)
    return render(request, "audits/programme_detail.html", {
        "programme": prog, "rows": rows, "months": selectors.programme_months(prog),
        "proposals": selectors.proposals(prog, rows=rows), "risks": ProgrammeItem.Risk.choices,
        "choice_processes": Process.objects.only("code", "name"), "choice_departments": Department.objects.only("code", "name"),
        "choice_clauses": Clause.objects.only("number", "title"),
        "can_manage": allowed("audits.manage_programme", request.user, prog),
    })


@require_POST
def programme_item_add(request, pk):
    prog = _get_programme_for_user(request, pk)
    form = ProgrammeItemForm(request.POST)
    if form.is_valid():
        try:
            services.programme_item_add(actor=request.user, programme=prog, **form.cleaned_data)
            messages.success(request, gettext("Coverage added."))
        except DomainError as exc:
            _fail(request, exc)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(prog)


@require_POST
def proposal_accept(request, pk):
    prog = _get_programme_for_user(request, pk)
    item_id = _int_or_none(request.POST.get("item"))
    if item_id is None:
        messages.error(request, gettext("Choose a proposal to accept."))
        return redirect(prog)
    item = get_object_or_404(ProgrammeItem.objects.select_related("process", "clause"), pk=item_id, programme=prog)
    try:
        when = date.fromisoformat(request.POST.get("date", ""))
        audit = services.proposal_accept(actor=request.user, programme=prog, item=item, when=when)
    except ValueError:
        messages.error(request, gettext("Invalid date."))
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, gettext("Audit %(number)s scheduled for %(date)s.") % {
            "number": audit.number, "date": f"{when:%Y-%m-%d}"})
    return redirect(prog)


# ------------------------------------------------------------------ calendar and feeds
@require_GET
def calendar_month(request):
    require("audits.view_audits", request.user)
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", f"{today:%Y-%m}").split("-"))
        if not in_window(date(year, month, 1)):
            raise ValueError("outside the window of dates")  # year 1 or 9999: no previous/next month
        first, grid = selectors.month_grid(request.user, year, month)
    except (ValueError, TypeError, OverflowError):
        raise Http404("No such month.") from None
    prev_m = selectors.add_months(first, -1)
    next_m = selectors.add_months(first, 1)
    return render(request, "audits/calendar.html", {
        "first": first, "grid": grid, "prev": f"{prev_m:%Y-%m}", "next": f"{next_m:%Y-%m}", "today": today,
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    })


@require_http_methods(["GET", "POST"])
def calendar_feeds(request):
    require("audits.view_audits", request.user)
    if request.method == "POST":
        # Only a POST makes (or renews) the secret token; a GET just shows it.
        services.calendar_token_for(user=request.user, renew=True)
        messages.success(request, gettext("New feed addresses made; any old ones no longer work."))
        return redirect("audits:calendar-feeds")
    token = CalendarToken.objects.filter(user=request.user).first()
    return render(request, "audits/calendar_feeds.html", {
        "mine": services.feed_url("audits:ical-user", token.token) if token else "",
        "programme": services.feed_url("audits:ical-programme", token.token)
        if token and permissions.can_read_everything(request.user) else "",
    })


def _token_user(token: str):
    row = CalendarToken.objects.select_related("user").filter(token=token).first()
    if row is None or not row.user.is_active or not allowed("audits.view_audits", row.user):
        raise Http404("No such feed.")
    if not scope.access_open(row.user):  # e.g. an external auditor's grant revoked, expired or not yet open
        raise Http404("No such feed.")
    return row.user


def _ics(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, max-age=900"
    return response


# Calendar clients (Outlook, Google) cannot log in: the unguessable per-user
# token in the URL is the credential; it can be renewed on the feeds page.
@login_not_required
@require_GET
def ical_user(request, token):
    user = _token_user(token)
    audits = selectors.feed_audits(user)
    return _ics(ical.build_calendar(audits, name=f"My audits ({user.display_name})"), "my-audits.ics")


@login_not_required
@require_GET
def ical_programme(request, token):
    user = _token_user(token)
    if not permissions.can_read_everything(user):
        raise Http404("No such feed.")
    audits = selectors.feed_audits(user, whole_programme=True)
    return _ics(ical.build_calendar(audits, name="Audit programme"), "audit-programme.ics")
