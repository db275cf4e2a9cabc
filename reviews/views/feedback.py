"""Customer feedback log and satisfaction survey pages (ISO 9001 8.2.1, 9.1.2)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qms.audit import trail_for
from qms.errors import DomainError
from qms.exports import table_response
from qms.rules import allowed, require
from reviews import registers, selectors, services
from reviews.forms import (
    AcknowledgeForm,
    CloseForm,
    ComplaintCapaForm,
    ComplaintFilterForm,
    ComplaintForm,
    RespondForm,
    SurveyForm,
)
from reviews.models import Complaint, SatisfactionSurvey

PAGE_SIZE = 50


def _get_complaint_for_user(request, number: str) -> Complaint:
    try:
        complaint = selectors.complaint_detail(number)
    except Complaint.DoesNotExist as exc:
        raise Http404(gettext("No such feedback.")) from exc
    if not allowed("reviews.view_complaint", request.user, complaint):
        raise Http404(gettext("No such feedback."))
    return complaint


def _filters(request):
    form = ComplaintFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_bound and form.is_valid() else {})


@require_GET
def complaint_list(request):
    require("reviews.view_complaints", request.user)
    form, filters = _filters(request)
    rows = selectors.complaint_register(request.user, filters).only(*selectors.COMPLAINT_COLUMNS)  # never the texts
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reviews/complaint_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_log": allowed("reviews.log_complaint", request.user),
    })


@require_GET
def complaint_export(request):
    require("reviews.export_complaints", request.user)
    _form, filters = _filters(request)
    qs = selectors.complaint_register(request.user, filters)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"

    return table_response(registers.COMPLAINT_COLUMNS, registers.complaint_rows_of(qs), fmt=fmt, basename="customer-feedback")


@require_http_methods(["GET", "POST"])
def complaint_create(request):
    require("reviews.log_complaint", request.user)
    form = ComplaintForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_log(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("%(number)s logged.") % {"number": complaint.number})
            return redirect(complaint)
    return render(request, "reviews/complaint_form.html", {"form": form, "title": gettext("Log customer feedback")},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def complaint_edit(request, number):
    complaint = _get_complaint_for_user(request, number)
    require("reviews.handle_complaint", request.user, complaint)
    initial = {name: getattr(complaint, name) for name in services.COMPLAINT_FIELDS}
    form = ComplaintForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_update(actor=request.user, complaint=complaint, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("%(number)s changed.") % {"number": complaint.number})
            return redirect(complaint)
    return render(request, "reviews/complaint_form.html", {"form": form, "complaint": complaint,
                                                           "title": gettext("Change %(number)s") % {"number": complaint.number}},
                  status=400 if form.errors else 200)


def _detail_context(request, complaint, **forms):
    can_handle = allowed("reviews.handle_complaint", request.user, complaint)
    ctx = {
        "complaint": complaint, "can_handle": can_handle,
        "capas": list(selectors.complaint_capas(request.user, complaint)),
        "trail": trail_for(complaint) if allowed("qms.view_trail", request.user, complaint) else None,
        "ack_form": forms.get("ack_form") or AcknowledgeForm(complaint=complaint),
        "respond_form": forms.get("respond_form") or RespondForm(complaint=complaint),
        "close_form": forms.get("close_form") or CloseForm(),
        "capa_form": forms.get("capa_form") or ComplaintCapaForm(initial={
            "title": f"Complaint {complaint.number}: {complaint.customer}"[:200],
            "description": complaint.description, "owner": complaint.owner_id,
            "severity": "major" if complaint.severity in ("high", "critical") else "minor"}),
        "can_raise_capa": can_handle and allowed("audits.raise_capa", request.user),
    }
    return ctx


@require_GET
def complaint_detail(request, number):
    complaint = _get_complaint_for_user(request, number)
    return render(request, "reviews/complaint_detail.html", _detail_context(request, complaint))


def _action(request, number, form_class, form_key, call, done: str):
    """One POSTed step on a complaint: the form, then the service; errors show on the page (400/409)."""
    complaint = _get_complaint_for_user(request, number)
    require("reviews.handle_complaint", request.user, complaint)
    kwargs = {"complaint": complaint} if form_class in (AcknowledgeForm, RespondForm) else {}
    form = form_class(request.POST, **kwargs)
    status = 400
    if form.is_valid():
        try:
            call(complaint, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, done)
            return redirect(complaint)
    ctx = _detail_context(request, complaint, **{form_key: form})
    # The step's form may not be on the page any more (the state moved on): say what was wrong at the top.
    ctx["action_errors"] = [f"{form.fields[k].label if k in form.fields else ''}: {e}".lstrip(": ")
                            for k, errs in form.errors.items() for e in errs]
    return render(request, "reviews/complaint_detail.html", ctx, status=status)


@require_POST
def complaint_acknowledge(request, number):
    return _action(request, number, AcknowledgeForm, "ack_form", lambda c, d: services.complaint_acknowledge(
        actor=request.user, complaint=c, on=d["acknowledged_on"]), gettext("Acknowledgement recorded."))


@require_POST
def complaint_respond(request, number):
    return _action(request, number, RespondForm, "respond_form", lambda c, d: services.complaint_respond(
        actor=request.user, complaint=c, on=d["responded_on"], response=d["response"]), gettext("Response recorded."))


@require_POST
def complaint_close(request, number):
    return _action(request, number, CloseForm, "close_form", lambda c, d: services.complaint_close(
        actor=request.user, complaint=c, resolution=d["resolution"]), gettext("Feedback closed."))


@require_POST
def complaint_capa(request, number):
    created = {}

    def call(c, d):
        created["capa"] = services.complaint_raise_capa(actor=request.user, complaint=c, **d)

    response = _action(request, number, ComplaintCapaForm, "capa_form", call, gettext("Nonconformity raised."))
    if "capa" in created:
        return redirect(created["capa"])
    return response


# ------------------------------------------------------------------ satisfaction surveys
@require_GET
def survey_list(request):
    require("reviews.view_surveys", request.user)
    page = Paginator(selectors.surveys_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reviews/survey_list.html", {
        "page": page, "can_enter": allowed("reviews.enter_survey", request.user),
        "chart": selectors.satisfaction_chart(request.user),
    })


def _get_survey_for_user(request, pk) -> SatisfactionSurvey:
    survey = get_object_or_404(selectors.surveys_for(request.user), pk=pk)
    return survey


@require_GET
def survey_detail(request, pk):
    survey = _get_survey_for_user(request, pk)
    return render(request, "reviews/survey_detail.html", {
        "survey": survey, "can_enter": allowed("reviews.enter_survey", request.user),
        "trail": trail_for(survey) if allowed("qms.view_trail", request.user, survey) else None,
    })


@require_http_methods(["GET", "POST"])
def survey_edit(request, pk=None):
    require("reviews.enter_survey", request.user)
    survey = _get_survey_for_user(request, pk) if pk is not None else None
    initial = {n: getattr(survey, n) for n in services.SURVEY_FIELDS} if survey else {}
    form = SurveyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if survey is None:
                survey = services.survey_enter(actor=request.user, **form.cleaned_data)
            else:
                services.survey_update(actor=request.user, survey=survey, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Survey result saved."))
            return redirect(survey)
    return render(request, "reviews/survey_form.html", {"form": form, "survey": survey},
                  status=400 if form.errors else 200)
