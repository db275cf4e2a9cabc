"""Risk and opportunity pages: the register, the heat map, a risk's page with
its trend, treatment actions and CAPAs, and the scale settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from audits.selectors import capas_raised_from
from planning import selectors, services
from planning.forms import (
    ActionDoneForm,
    ActionForm,
    AssessForm,
    CapaForm,
    ReasonForm,
    RegisterFilterForm,
    RiskForm,
    ScaleForm,
)
from planning.models import Risk, RiskAction, RiskScale
from planning.views.common import refuse_into, trail_url
from qms import charts
from qms.errors import DomainError
from qms.rules import allowed, require

PAGE_SIZE = 50


def _get_risk_for_user(request, pk: int) -> Risk:
    try:
        risk = selectors.risk_detail(pk)
    except Risk.DoesNotExist as exc:
        raise Http404(gettext("No such risk.")) from exc
    if not allowed("planning.view_risks", request.user, risk):
        raise Http404(gettext("No such risk."))
    return risk


def _filters(request, scale):
    form = RegisterFilterForm(request.GET or None, scale=scale)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if not form.is_bound:
        filters = {"status": "active"}
        form = RegisterFilterForm(initial=filters, scale=scale)
    return form, filters


def _form_page(request, *, title, form, back, submit=None, intro="", obj=None, multipart=False):
    submit = submit or gettext("Save")
    return render(request, "planning/form.html", {"title": title, "form": form, "back": back, "submit": submit,
                                                  "intro": intro, "obj": obj, "multipart": multipart})


# ------------------------------------------------------------------ register and heat map
@require_GET
def risk_list(request):
    require("planning.view_risks", request.user)
    scale = RiskScale.current()
    form, filters = _filters(request, scale)
    qs = selectors.risk_register(request.user, filters, scale)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.action_counts(r.pk for r in page)
    for risk in page:
        risk.open_actions, risk.late_actions = counts.get(risk.pk, (0, 0))
        risk.band = scale.band_for(risk.score)
        risk.residual_band = scale.band_for(risk.residual_score)
    return render(request, "planning/risk_list.html", {
        "form": form, "page": page, "scale": scale, "filters": filters,
        "can_create": allowed("planning.create_risk", request.user),
        "can_configure": allowed("planning.configure_scale", request.user),
    })


@require_GET
def heatmap(request):
    require("planning.view_risks", request.user)
    scale = RiskScale.current()
    form, filters = _filters(request, scale)
    hm = selectors.heatmap(request.user, filters, scale, base_url=reverse("planning:risks"))
    return render(request, "planning/risk_heatmap.html", {"form": form, "hm": hm, "scale": scale,
                                                          "impacts": range(1, scale.impact_levels + 1)})


# ------------------------------------------------------------------ one risk
def _risk_form(request, risk=None, assess=True):
    scale = RiskScale.current()
    return RiskForm(request.POST or None, instance=risk, scale=scale, assess=assess,
                    issues=selectors.issues_for_user(request.user).filter(status="active"),
                    parties=selectors.parties_for_user(request.user).filter(status="active"),
                    initial={"owner": request.user.pk} if risk is None else None)


def _assessment(data) -> services.Assessment:
    return services.Assessment(
        likelihood=data["likelihood"], impact=data["impact"], reassess_on=data["reassess_on"],
        residual_likelihood=data.get("residual_likelihood"), residual_impact=data.get("residual_impact"),
        note=data.get("note", ""),
    )


_RISK_DATA = ("kind", "title", "process", "department", "cause", "effect", "owner", "treatment")


@require_http_methods(["GET", "POST"])
def risk_create(request):
    require("planning.create_risk", request.user)
    form = _risk_form(request)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            risk = services.risk_create(actor=request.user, data={k: d[k] for k in _RISK_DATA},
                                        assessment=_assessment(d), issues=d["issues"], parties=d["parties"])
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("%(number)s recorded.") % {"number": risk.number})
            return redirect(risk)
    return _form_page(request, title=gettext("New risk or opportunity"), form=form, back=reverse("planning:risks"))


@require_GET
def risk_detail(request, pk):
    risk = _get_risk_for_user(request, pk)
    scale = RiskScale.current()
    labels, scores, residual = selectors.score_trend(risk)
    series = {gettext("Score"): scores}
    if any(r is not None for r in residual):
        series[gettext("Residual")] = residual
    trend = charts.line(gettext("%(number)s score over time") % {"number": risk.number}, labels, series, unit="")
    user = request.user
    actions = list(risk.actions.select_related("owner").order_by("due_date", "id"))
    for a in actions:
        a.can_complete = allowed("planning.complete_risk_action", user, a)
    can_edit = allowed("planning.edit_risk", user, risk)
    return render(request, "planning/risk_detail.html", {
        "risk": risk, "scale": scale, "band": scale.band_for(risk.score),
        "residual_band": scale.band_for(risk.residual_score), "trend": trend,
        "assessments": risk.assessments.select_related("assessed_by").order_by("-assessed_on", "-id"),
        "actions": actions, "capas": capas_raised_from(user, risk).order_by("-id"),
        "issues": risk.issues.all(), "parties": risk.parties.all(),
        "can_edit": can_edit, "can_close": allowed("planning.close_risk", user, risk),
        "can_reopen": allowed("planning.reopen_risk", user, risk),
        "can_raise_capa": allowed("planning.raise_capa", user, risk),
        "action_form": ActionForm(prefix="action") if can_edit else None,
        "trail_url": trail_url(risk) if allowed("qms.view_trail", user, risk) else "",
    })


@require_http_methods(["GET", "POST"])
def risk_edit(request, pk):
    risk = _get_risk_for_user(request, pk)
    require("planning.edit_risk", request.user, risk)
    form = _risk_form(request, risk, assess=False)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.risk_update(actor=request.user, risk=risk, data={k: d[k] for k in _RISK_DATA},
                                 issues=d["issues"], parties=d["parties"])
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("%(number)s saved.") % {"number": risk.number})
            return redirect(risk)
    return _form_page(request, title=gettext("Edit %(number)s") % {"number": risk.number}, form=form, back=risk.get_absolute_url(), obj=risk)


@require_http_methods(["GET", "POST"])
def risk_assess(request, pk):
    risk = _get_risk_for_user(request, pk)
    require("planning.edit_risk", request.user, risk)
    scale = RiskScale.current()
    initial = {"likelihood": risk.likelihood, "impact": risk.impact, "residual_likelihood": risk.residual_likelihood,
               "residual_impact": risk.residual_impact}
    form = AssessForm(request.POST or None, scale=scale, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_assess(actor=request.user, risk=risk, assessment=_assessment(form.cleaned_data))
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("%(number)s re-assessed: score %(score)s.")
                             % {"number": risk.number, "score": risk.score})
            return redirect(risk)
    return _form_page(request, title=gettext("Re-assess %(number)s") % {"number": risk.number}, form=form, back=risk.get_absolute_url(), obj=risk,
                      intro=gettext("Scale: likelihood 1–%(likelihood)s × impact 1–%(impact)s.")
                      % {"likelihood": scale.likelihood_levels, "impact": scale.impact_levels})


@require_http_methods(["GET", "POST"])
def action_add(request, pk):
    risk = _get_risk_for_user(request, pk)
    require("planning.edit_risk", request.user, risk)
    form = ActionForm(request.POST or None, prefix="action")
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_action_add(actor=request.user, risk=risk, **form.cleaned_data)
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("Treatment action added."))
            return redirect(risk)
    return _form_page(request, title=gettext("Treatment action for %(number)s") % {"number": risk.number}, form=form, back=risk.get_absolute_url(),
                      obj=risk)


def _get_action(request, pk) -> RiskAction:
    action = get_object_or_404(RiskAction.objects.select_related("risk"), pk=pk)
    if not allowed("planning.view_risks", request.user, action.risk):
        raise Http404(gettext("No such action."))
    return action


@require_http_methods(["GET", "POST"])
def action_complete(request, pk):
    action = _get_action(request, pk)
    require("planning.complete_risk_action", request.user, action)
    form = ActionDoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_action_complete(actor=request.user, action=action, **form.cleaned_data)
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("Action done."))
            return redirect(action.risk)
    return _form_page(request, title=gettext("Complete the treatment action"), form=form, back=action.risk.get_absolute_url(),
                      intro=action.description)


@require_http_methods(["GET", "POST"])
def action_cancel(request, pk):
    action = _get_action(request, pk)
    require("planning.complete_risk_action", request.user, action)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_action_cancel(actor=request.user, action=action, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("Action cancelled."))
            return redirect(action.risk)
    return _form_page(request, title=gettext("Cancel the treatment action"), form=form, back=action.risk.get_absolute_url(),
                      intro=action.description, submit=gettext("Cancel the action"))


def _reason_action(request, pk, *, rule, service, title, submit, done):
    risk = _get_risk_for_user(request, pk)
    require(rule, request.user, risk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, risk=risk, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, done)
            return redirect(risk)
    return _form_page(request, title=title % {"number": risk.number}, form=form, back=risk.get_absolute_url(), obj=risk,
                      submit=submit)


@require_http_methods(["GET", "POST"])
def risk_close(request, pk):
    return _reason_action(request, pk, rule="planning.close_risk", service=services.risk_close, title=gettext("Close %(number)s"),
                          submit=gettext("Close"), done=gettext("Risk closed."))


@require_http_methods(["GET", "POST"])
def risk_reopen(request, pk):
    return _reason_action(request, pk, rule="planning.reopen_risk", service=services.risk_reopen, title=gettext("Reopen %(number)s"),
                          submit=gettext("Reopen"), done=gettext("Risk reopened."))


@require_http_methods(["GET", "POST"])
def risk_capa(request, pk):
    risk = _get_risk_for_user(request, pk)
    require("planning.raise_capa", request.user, risk)
    form = CapaForm(request.POST or None, initial={"title": risk.title[:200], "severity": "minor",
                                                   "description": f"Raised from {risk.number}: {risk.effect}"[:5000]})
    if request.method == "POST" and form.is_valid():
        try:
            capa = services.risk_raise_capa(actor=request.user, risk=risk, **form.cleaned_data)
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("%(capa)s raised from %(risk)s.") % {"capa": capa.number, "risk": risk.number})
            return redirect(capa)
    return _form_page(request, title=gettext("Raise a nonconformity from %(number)s") % {"number": risk.number}, form=form,
                      back=risk.get_absolute_url(), obj=risk, submit=gettext("Raise CAPA"))


# ------------------------------------------------------------------ the scale
@require_http_methods(["GET", "POST"])
def scale_edit(request):
    require("planning.configure_scale", request.user)
    scale = RiskScale.current()
    form = ScaleForm(request.POST or None, initial=ScaleForm.initial_for(scale))
    if request.method == "POST" and form.is_valid():
        try:
            services.scale_save(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("Risk scale saved."))
            return redirect("planning:risks")
    return _form_page(request, title=gettext("Risk scale and rating bands"), form=form, back=reverse("planning:risks"),
                      intro=gettext("Score = likelihood × impact. Each band rates the scores up to its highest score."))
