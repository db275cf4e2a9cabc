"""Changes to the equipment register: one keyword-only service per action,
the only code that writes. A calibration sets the instrument's next due date
and, when out of tolerance, takes it out of service and opens a CAPA asking
for the impact assessment (7.1.5.2)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from equipment.models import CODE_CHARS, MAX_INTERVAL_MONTHS, Calibration, Instrument
from qms.audit import attribute, record_event
from qms.dates import check_in_window
from qms.errors import DomainError
from qms.lifecycle import guard, transition
from qms.models import Clause
from qms.rules import require
from qms.uploads import store_upload

S = Instrument.Status
CERTIFICATE_TYPES = ("pdf", "png", "jpg", "jpeg")
EDITABLE = ("description", "location", "owner", "measurement_range", "calibration_interval_months")
# Records the impact CAPA names in its description; the impact page lists them all.
IMPACT_LISTED = 50
REFERENCE_KIND = "instrument"


def _clean(obj, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc


def _check_interval(months) -> None:
    if months is None or not 1 <= months <= MAX_INTERVAL_MONTHS:
        raise DomainError(_("The calibration interval is 1 to %(max)s months.") % {"max": MAX_INTERVAL_MONTHS})


@transaction.atomic
def instrument_create(*, actor, code: str, description: str, owner, calibration_interval_months: int,
                      location: str = "", measurement_range: str = "", calibrated_on: date | None = None) -> Instrument:
    """Register an instrument. Without a calibration on file it is due at once:
    it cannot be chosen on a record until it is calibrated."""
    require("equipment.manage_equipment", actor)
    code = (code or "").strip()
    if not CODE_CHARS.match(code):
        raise DomainError(_("An instrument id is 1–30 letters, digits, dots, hyphens or underscores."))
    if Instrument.objects.filter(code__iexact=code).exists():
        raise DomainError(_("An instrument %(code)s is already registered.") % {"code": code})
    _check_interval(calibration_interval_months)
    instrument = Instrument(
        code=code, description=description.strip(), location=location.strip(), owner=owner,
        measurement_range=measurement_range.strip(), calibration_interval_months=calibration_interval_months,
        clause=Clause.objects.get(number="7.1.5"), next_due=timezone.localdate(),
    )
    _clean(instrument)
    attribute(instrument, actor, "registered")
    instrument.save()
    record_event(actor=actor, verb="instrument.created", obj=instrument, to_state=instrument.status)
    return instrument


@transaction.atomic
def instrument_update(*, actor, instrument: Instrument, reason: str = "", **fields) -> Instrument:
    """Change the register's details. A new interval moves the next due date from the last calibration."""
    require("equipment.manage_equipment", actor)
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if instrument.status == S.RETIRED:
        raise DomainError(_("%(code)s is retired: its register entry is kept as it was.") % {"code": instrument.code})
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise DomainError(_("These details cannot be changed here: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    if "calibration_interval_months" in fields:
        _check_interval(fields["calibration_interval_months"])
    for key, value in fields.items():
        setattr(instrument, key, value.strip() if isinstance(value, str) else value)
    _clean(instrument)
    latest = instrument.calibrations.order_by("-calibrated_on", "-id").first()
    if latest is not None and "calibration_interval_months" in fields:
        instrument.next_due = latest.calibrated_on + relativedelta(months=instrument.calibration_interval_months)
    attribute(instrument, actor, reason or "details changed")
    instrument.save()
    record_event(actor=actor, verb="instrument.changed", obj=instrument, comment=reason)
    return instrument


def in_use_problem(instrument: Instrument) -> str | None:
    """Why `instrument` cannot be put in use now, or None."""
    latest = instrument.calibrations.order_by("-calibrated_on", "-id").first()
    if latest is not None and not latest.good:
        return (_("%(code)s was found out of tolerance on %(date)s: record a good calibration before it is used again.")
                % {"code": instrument.code, "date": f"{latest.calibrated_on:%Y-%m-%d}"})
    if instrument.next_due is None or instrument.next_due < timezone.localdate():
        return (_("%(code)s is overdue for calibration: record a calibration before it is used again.")
                % {"code": instrument.code})
    return None


@transaction.atomic
def instrument_set_status(*, actor, instrument: Instrument, to: str, reason: str) -> Instrument:
    """Send for calibration, take out of service, put back in use or retire, with a reason."""
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the change."))
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    guard(instrument, to, actor=actor, rule="equipment.change_status")
    if to == S.IN_USE and (problem := in_use_problem(instrument)):
        raise DomainError(problem)
    return transition(instrument, to, actor=actor, verb=f"instrument.{to}", rule="equipment.change_status",
                      reason=reason.strip(), comment=reason.strip())


def last_good_calibration(instrument: Instrument, before: Calibration | None = None) -> Calibration | None:
    qs = instrument.calibrations.filter(result__in=Calibration.GOOD)
    if before is not None:
        qs = qs.filter(calibrated_on__lte=before.calibrated_on).exclude(pk=before.pk)
    return qs.order_by("-calibrated_on", "-id").first()


def impact_since(instrument: Instrument, failed: Calibration | None = None) -> date:
    """The start of the period whose results an out-of-tolerance finding puts
    in doubt: the last good calibration before it (or the instrument's registration)."""
    good = last_good_calibration(instrument, before=failed)
    return good.calibrated_on if good is not None else timezone.localtime(instrument.created_at).date()


def records_measured_with(user, instrument: Instrument, since: date):
    """Records naming the instrument (a Reference field of kind "instrument") made since `since`."""
    from records.selectors import records_naming

    return records_naming(user, REFERENCE_KIND, instrument.code, since=since)


@transaction.atomic
def calibration_record(*, actor, instrument: Instrument, calibrated_on: date, result: str, performed_by: str,
                       due_on: date | None = None, certificate_number: str = "", notes: str = "",
                       upload=None) -> Calibration:
    """Record a calibration (7.1.5.2). The next due date is the calibration date
    plus the interval unless given; it must fall after the calibration date.
    Out of tolerance: the instrument goes out of service and a CAPA (source
    "equipment") asks for the impact assessment, listing the records measured
    with it since its last good calibration."""
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    require("equipment.record_calibration", actor, instrument)
    if instrument.status == S.RETIRED:
        raise DomainError(_("%(code)s is retired: it is not calibrated any more.") % {"code": instrument.code})
    if result not in Calibration.Result.values:
        raise DomainError(_("Choose the result: pass, adjusted or out of tolerance."))
    if calibrated_on is None:
        raise DomainError(_("Give the calibration date."))
    check_in_window(calibrated_on, _("The calibration date"))
    if calibrated_on > timezone.localdate():
        raise DomainError(_("The calibration date is in the future: record a calibration once it is done."))
    due_on = due_on or calibrated_on + relativedelta(months=instrument.calibration_interval_months)
    check_in_window(due_on, _("The next due date"))
    if due_on <= calibrated_on:
        raise DomainError(_("The next due date (%(due)s) must be after the calibration date (%(date)s).")
                          % {"due": f"{due_on:%Y-%m-%d}", "date": f"{calibrated_on:%Y-%m-%d}"})
    latest = instrument.calibrations.order_by("-calibrated_on", "-id").first()
    if latest is not None and calibrated_on < latest.calibrated_on:
        raise DomainError(_("A later calibration (%(date)s) is on file: record calibrations in order.")
                          % {"date": f"{latest.calibrated_on:%Y-%m-%d}"})
    if not (performed_by or "").strip():
        raise DomainError(_("Say who calibrated it (laboratory or person)."))
    cal = Calibration(instrument=instrument, calibrated_on=calibrated_on, due_on=due_on, result=result,
                      performed_by=performed_by.strip(), certificate_number=certificate_number.strip(),
                      notes=notes.strip(), recorded_by=actor)
    if upload is not None:
        try:
            stored = store_upload(upload, folder=f"equipment/{instrument.pk}", allowed=CERTIFICATE_TYPES)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        cal.file, cal.original_name, cal.size = stored.name, stored.original_name, stored.size
        cal.sha256, cal.content_type = stored.sha256, stored.content_type
    attribute(cal, actor, f"calibration: {result}")
    cal.save()
    instrument.last_calibrated_on, instrument.next_due = calibrated_on, due_on
    with translation.override(None):  # the trail keeps the words as they were, untranslated
        result_label = str(cal.get_result_display())
    record_event(actor=actor, verb="instrument.calibrated", obj=instrument, comment=result_label,
                 data={"calibrated_on": calibrated_on.isoformat(), "due_on": due_on.isoformat(), "result": result})
    if cal.good:
        if instrument.status != S.IN_USE:
            transition(instrument, S.IN_USE, actor=actor, verb="instrument.in_use",
                       reason=f"calibrated {calibrated_on:%Y-%m-%d}: {result_label.lower()}")
        else:
            attribute(instrument, actor, f"calibrated {calibrated_on:%Y-%m-%d}")
            instrument.save()
        return cal
    if instrument.status != S.OUT_OF_SERVICE:
        transition(instrument, S.OUT_OF_SERVICE, actor=actor, verb="instrument.out_of_service",
                   reason=f"out of tolerance at calibration {calibrated_on:%Y-%m-%d}")
    else:
        attribute(instrument, actor, "out of tolerance")
        instrument.save()
    capa = _raise_impact_capa(actor=actor, instrument=instrument, cal=cal)
    record_event(actor=actor, verb="instrument.out_of_tolerance", obj=instrument, comment=capa.number)
    return cal


def _raise_impact_capa(*, actor, instrument: Instrument, cal: Calibration):
    from audits.services import capa_raise

    since = impact_since(instrument, cal)
    affected = list(records_measured_with(None, instrument, since).values_list("number", flat=True)[:IMPACT_LISTED + 1])
    count = records_measured_with(None, instrument, since).count()
    listed = ", ".join(affected[:IMPACT_LISTED]) + (f" and {count - IMPACT_LISTED} more" if count > IMPACT_LISTED else "")
    description = (
        f"{instrument} was found out of tolerance at its calibration on {cal.calibrated_on:%Y-%m-%d} "
        f"({cal.performed_by}{', certificate ' + cal.certificate_number if cal.certificate_number else ''}).\n\n"
        f"Impact assessment needed (ISO 9001 7.1.5.2): decide whether the results measured with it since its last "
        f"good calibration on {since:%Y-%m-%d} are still valid, and act on those that are not.\n\n"
        + (f"Records measured with {instrument.code} since {since:%Y-%m-%d} ({count}): {listed}."
           if count else f"No record names {instrument.code} since {since:%Y-%m-%d}.")
    )
    return capa_raise(actor=actor, source="equipment", title=f"{instrument.code} out of tolerance: impact assessment",
                      description=description, severity="major", owner=instrument.owner,
                      clause=Clause.objects.filter(number="7.1.5.2").first(), origin=instrument)
