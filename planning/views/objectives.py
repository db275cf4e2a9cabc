"""Quality objectives (6.2) and their KPIs with measurements and charts (9.1)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from planning import selectors, services
from planning.forms import CloseObjectiveForm, KpiForm, MeasurementForm, ObjectiveForm
from planning.models import RATING_LABELS, Kpi, Measurement, Objective, last_closed_period
from planning.views.common import refuse_into, trail_url
from planning.views.risks import PAGE_SIZE, _form_page
from qms import charts, measures
from qms.errors import DomainError
from qms.rules import allowed, require
from qms.uploads import file_response

_OBJECTIVE_DATA = ("statement", "policy", "policy_link", "owner", "process", "target", "unit", "direction",
                   "baseline", "start_date", "due_date", "plan_what", "plan_resources", "plan_who", "plan_when",
                   "plan_evaluation")
_KPI_DATA = ("name", "definition", "unit", "frequency", "target", "direction", "warning", "source", "measure",
             "data_source", "owner", "start_date", "is_active")


def _rate(kpi: Kpi):
    kpi.rating_key = kpi.rating(getattr(kpi, "latest_value", None))
    kpi.rating_label, kpi.rating_colour = RATING_LABELS[kpi.rating_key]
    return kpi


def _get_objective(request, pk) -> Objective:
    objective = selectors.objectives_for_user(request.user).filter(pk=pk).first()
    if objective is None:
        raise Http404(gettext("No such objective."))
    return objective


def _get_kpi(request, pk) -> Kpi:
    kpi = selectors.kpis_for_user(request.user).select_related("objective", "owner").filter(pk=pk).first()
    if kpi is None:
        raise Http404(gettext("No such KPI."))
    return kpi


@require_GET
def objective_list(request):
    require("planning.view_objectives", request.user)
    show = request.GET.get("status") or "active"
    objectives = selectors.objectives_for_user(request.user)
    if show != "all":
        objectives = objectives.filter(status=show if show in Objective.Status.values else "active")
    kpis = selectors.with_latest(Kpi.objects.for_list()).order_by("id")
    objectives = objectives.prefetch_related(Prefetch("kpis", queryset=kpis)).order_by("id")
    page = Paginator(objectives, PAGE_SIZE).get_page(request.GET.get("page"))
    for o in page:
        for k in o.kpis.all():
            _rate(k)
    kpi_ids = [k.pk for o in page for k in o.kpis.all()]
    missing = set(selectors.kpis_missing(request.user).filter(pk__in=kpi_ids).values_list("pk", flat=True))
    return render(request, "planning/objective_list.html", {
        "objectives": page, "page": page, "show": show, "missing": missing, "statuses": Objective.Status.choices,
        "can_manage": allowed("planning.manage_objectives", request.user),
    })


@require_http_methods(["GET", "POST"])
def objective_create(request, pk=None):
    objective = _get_objective(request, pk) if pk else None
    require("planning.edit_objective" if objective else "planning.manage_objectives", request.user, objective)
    form = ObjectiveForm(request.POST or None, instance=objective,
                         initial={"owner": request.user.pk, "start_date": timezone.localdate()} if not pk else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.objective_save(actor=request.user, objective=objective,
                                            data={k: form.cleaned_data[k] for k in _OBJECTIVE_DATA})
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("%(number)s saved.") % {"number": saved.number})
            return redirect(saved)
    return _form_page(request, title=gettext("Edit %(number)s") % {"number": objective.number} if objective
                      else gettext("New quality objective"), form=form,
                      back=objective.get_absolute_url() if objective else reverse("planning:objectives"), obj=objective)


@require_GET
def objective_detail(request, pk):
    objective = _get_objective(request, pk)
    kpis = [_rate(k) for k in selectors.kpi_list(request.user, objective)]
    missing = set(selectors.kpis_missing(request.user).filter(objective=objective).values_list("pk", flat=True))
    return render(request, "planning/objective_detail.html", {
        "objective": objective, "kpis": kpis, "missing": missing,
        "can_edit": allowed("planning.edit_objective", request.user, objective),
        "trail_url": trail_url(objective) if allowed("qms.view_trail", request.user, objective) else "",
    })


@require_http_methods(["GET", "POST"])
def objective_close(request, pk):
    objective = _get_objective(request, pk)
    require("planning.edit_objective", request.user, objective)
    form = CloseObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_close(actor=request.user, objective=objective, **form.cleaned_data)
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("%(number)s closed.") % {"number": objective.number})
            return redirect(objective)
    return _form_page(request, title=gettext("Close %(number)s") % {"number": objective.number}, form=form, back=objective.get_absolute_url(),
                      obj=objective, submit=gettext("Close the objective"))


@require_http_methods(["GET", "POST"])
def kpi_create(request, pk):
    objective = _get_objective(request, pk)
    require("planning.edit_objective", request.user, objective)
    return _kpi_form(request, objective, None)


@require_http_methods(["GET", "POST"])
def kpi_edit(request, pk):
    kpi = _get_kpi(request, pk)
    require("planning.edit_objective", request.user, kpi.objective)
    return _kpi_form(request, kpi.objective, kpi)


def _kpi_form(request, objective, kpi):
    initial = None if kpi else {"owner": objective.owner_id, "unit": objective.unit, "target": objective.target,
                                "direction": objective.direction, "start_date": objective.start_date}
    form = KpiForm(request.POST or None, instance=kpi, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.kpi_save(actor=request.user, objective=objective, kpi=kpi,
                                      data={k: form.cleaned_data[k] for k in _KPI_DATA})
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("%(number)s saved.") % {"number": saved.number})
            return redirect(saved)
    return _form_page(request, title=gettext("Edit %(number)s") % {"number": kpi.number} if kpi
                      else gettext("New KPI for %(number)s") % {"number": objective.number}, form=form,
                      back=(kpi or objective).get_absolute_url(), obj=kpi,
                      intro=gettext("Computed KPIs take their values from the QMS itself, one per period that has ended."))


def kpi_chart(kpi: Kpi, series: list[Measurement]):
    labels = [f"{m.period_start:%Y-%m}" for m in series]
    values = [float(m.value) for m in series]
    return charts.line(f"{kpi.name} ({kpi.unit})", labels, {kpi.name: values}, target=float(kpi.target),
                       thresholds={gettext("Alert"): float(kpi.warning) if kpi.warning is not None else None}, unit=kpi.unit)


@require_GET
def kpi_detail(request, pk):
    kpi = _get_kpi(request, pk)
    series = selectors.kpi_series(kpi)
    for m in series:
        m.rating_label, m.rating_colour = RATING_LABELS[kpi.rating(m.value)]
    latest = series[-1] if series else None
    kpi.latest_value = latest.value if latest else None
    _rate(kpi)
    can_record = allowed("planning.record_measurement", request.user, kpi)
    last_start, last_end = last_closed_period(kpi.frequency)
    return render(request, "planning/kpi_detail.html", {
        "kpi": kpi, "objective": kpi.objective, "series": series[::-1], "chart": kpi_chart(kpi, series),
        "measure": measures.get(kpi.measure) if kpi.measure else None,
        "missing": kpi.source == "entered" and kpi.is_active and kpi.start_date <= last_end
        and not any(m.period_start == last_start for m in series),
        "last_period": (last_start, last_end),
        "form": MeasurementForm(initial={"period": last_start}) if can_record else None,
        "can_edit": allowed("planning.edit_objective", request.user, kpi.objective),
        "can_refresh": allowed("planning.refresh_kpi", request.user, kpi),
        "trail_url": trail_url(kpi) if allowed("qms.view_trail", request.user, kpi) else "",
    })


@require_http_methods(["GET", "POST"])
def measurement_add(request, pk):
    kpi = _get_kpi(request, pk)
    require("planning.record_measurement", request.user, kpi)
    form = MeasurementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.measurement_record(actor=request.user, kpi=kpi, day=d["period"], value=d["value"],
                                        comment=d["comment"], evidence=d.get("evidence"))
        except DomainError as exc:
            refuse_into(form, exc)
        except ValidationError as exc:  # an upload qms.uploads refuses
            form.add_error("evidence", exc.messages[0])
        else:
            messages.success(request, gettext("Measurement recorded."))
            return redirect(kpi)
    return _form_page(request, title=gettext("Record a measurement of %(number)s") % {"number": kpi.number}, form=form, back=kpi.get_absolute_url(),
                      obj=kpi, submit=gettext("Record"), multipart=True)


@require_POST
def kpi_refresh(request, pk):
    kpi = _get_kpi(request, pk)
    require("planning.refresh_kpi", request.user, kpi)
    added = services.kpi_refresh(actor=request.user, kpi=kpi)
    messages.success(request, ngettext("%(count)s new period computed.", "%(count)s new periods computed.", added)
                     % {"count": added})
    return redirect(kpi)


@require_GET
def measurement_evidence(request, pk):
    m = get_object_or_404(Measurement.objects.select_related("kpi"), pk=pk, evidence__gt="")
    if not selectors.kpis_for_user(request.user).filter(pk=m.kpi_id).exists():
        raise Http404(gettext("No such file."))
    return file_response(m.evidence, download_name=m.evidence_name, content_type=m.evidence_type)
