"""Equipment pages: register, instrument page, calibration, status moves, the
impact assessment list. Views are short: permission check, form, service."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from equipment import selectors, services
from equipment.forms import CalibrationForm, FilterForm, InstrumentForm, StatusForm
from equipment.lifecycles import INSTRUMENT
from equipment.models import Calibration, Instrument
from qms.audit import trail_for
from qms.errors import DomainError
from qms.rules import allowed, require

PAGE_SIZE = 50


def _get_instrument_for_user(request, code: str) -> Instrument:
    instrument = Instrument.objects.select_related("owner").filter(code=code).first()
    if instrument is None or not allowed("equipment.view_instrument", request.user, instrument):
        raise Http404(_("No such instrument."))  # do not reveal that it exists
    return instrument


@require_GET
def index(request):
    require("equipment.view_equipment", request.user)
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(selectors.instrument_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "equipment/instrument_list.html", {
        "form": form, "page": page, "can_manage": allowed("equipment.manage_equipment", request.user),
    })


@require_http_methods(["GET", "POST"])
def instrument_create(request):
    require("equipment.manage_equipment", request.user)
    form = InstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.instrument_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(code)s registered. Record its calibration before it is used.") % {"code": instrument.code})
            return redirect(instrument)
    return render(request, "equipment/instrument_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def instrument_edit(request, code):
    instrument = _get_instrument_for_user(request, code)
    require("equipment.manage_equipment", request.user)
    form = InstrumentForm(request.POST or None, instance=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            services.instrument_update(actor=request.user, instrument=instrument, **form.changes())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Instrument details saved."))
            return redirect(instrument)
    return render(request, "equipment/instrument_form.html", {"form": form, "instrument": instrument})


@require_GET
def instrument_detail(request, code):
    instrument = _get_instrument_for_user(request, code)
    from audits.selectors import capas_raised_from

    user = request.user
    calibrations = list(instrument.calibrations.select_related("recorded_by")[:30])
    latest = calibrations[0] if calibrations else None
    impact = None
    if latest is not None and not latest.good:
        since = services.impact_since(instrument, latest)
        impact = {"since": since, "records": services.records_measured_with(user, instrument, since)[:50]}
    moves = [(to, INSTRUMENT.label(to)) for to in sorted(INSTRUMENT.moves[instrument.status])]
    return render(request, "equipment/instrument_detail.html", {
        "instrument": instrument, "calibrations": calibrations, "impact": impact,
        "capas": capas_raised_from(user, instrument).only("number", "title", "status", "raised_at")[:20],
        "moves": moves if allowed("equipment.change_status", user, instrument) else [],
        "can_manage": allowed("equipment.manage_equipment", user),
        "can_calibrate": allowed("equipment.record_calibration", user, instrument),
        "can_trail": allowed("qms.view_trail", user, instrument),
    })


@require_GET
def instrument_impact(request, code):
    """Records measured with the instrument since its last good calibration (7.1.5.2)."""
    instrument = _get_instrument_for_user(request, code)
    latest = instrument.calibrations.order_by("-calibrated_on", "-id").first()
    failed = latest if latest is not None and not latest.good else None
    since = services.impact_since(instrument, failed)
    page = Paginator(services.records_measured_with(request.user, instrument, since), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "equipment/instrument_impact.html", {
        "instrument": instrument, "since": since, "failed": failed, "page": page,
    })


@require_GET
def instrument_trail(request, code):
    instrument = _get_instrument_for_user(request, code)
    require("qms.view_trail", request.user, instrument)
    return render(request, "equipment/instrument_trail.html", {"instrument": instrument,
                                                               "entries": trail_for(instrument)})


@require_http_methods(["GET", "POST"])
def instrument_status(request, code, to):
    instrument = _get_instrument_for_user(request, code)
    if to not in Instrument.Status.values:
        raise Http404(_("No such status."))
    require("equipment.change_status", request.user, instrument)
    form = StatusForm(request.POST or None)
    problem = None if INSTRUMENT.can_move(instrument, to) else (
        _("%(object)s is %(state)s; it cannot become %(to)s.")
        % {"object": instrument.code, "state": INSTRUMENT.label(instrument.status).lower(),
           "to": INSTRUMENT.label(to).lower()})
    if problem is None and to == Instrument.Status.IN_USE:
        problem = services.in_use_problem(instrument)
    if request.method == "POST" and form.is_valid():
        try:
            services.instrument_set_status(actor=request.user, instrument=instrument, to=to,
                                           reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(code)s is now %(status)s.") % {"code": instrument.code, "status": INSTRUMENT.label(to).lower()})
            return redirect(instrument)
    return render(request, "equipment/instrument_status.html", {
        "instrument": instrument, "to": to, "to_label": INSTRUMENT.label(to), "form": form, "problem": problem,
    }, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def calibration_create(request, code):
    instrument = _get_instrument_for_user(request, code)
    require("equipment.record_calibration", request.user, instrument)
    form = CalibrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cal = services.calibration_record(
                actor=request.user, instrument=instrument, calibrated_on=data["calibrated_on"], result=data["result"],
                due_on=data.get("due_on"), performed_by=data["performed_by"],
                certificate_number=data["certificate_number"], notes=data["notes"], upload=data.get("file"))
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if cal.good:
                messages.success(request, _("Calibration recorded; next due %(date)s.") % {"date": f"{cal.due_on:%Y-%m-%d}"})
            else:
                messages.warning(request, _("%(code)s is out of service; a nonconformity asks for the impact assessment.")
                                 % {"code": instrument.code})
            return redirect(instrument)
    return render(request, "equipment/calibration_form.html", {"instrument": instrument, "form": form},
                  status=400 if request.method == "POST" else 200)


@require_GET
def certificate_download(request, pk):
    from qms.uploads import file_response

    cal = get_object_or_404(Calibration.objects.select_related("instrument"), pk=pk)
    if not cal.file or not allowed("equipment.download_certificate", request.user, cal.instrument):
        raise Http404(_("No such file."))
    return file_response(cal.file, download_name=cal.original_name, content_type=cal.content_type)
