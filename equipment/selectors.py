"""Reads for the equipment register: lists cut to what the user may see (the
scope hook), calibrations due, and the register rows for exports and the as-of
view. Each runs a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from equipment.models import DUE_SOON_DAYS, Calibration, Instrument
from qms import scope

S = Instrument.Status
LIST_COLUMNS = ("code", "description", "location", "measurement_range", "status", "next_due", "last_calibrated_on",
                "calibration_interval_months", "owner__username", "owner__full_name", "owner__first_name",
                "owner__last_name")
ACTIVE = (S.IN_USE, S.OUT_FOR_CALIBRATION, S.OUT_OF_SERVICE)


def instruments_for_user(user) -> QuerySet[Instrument]:
    if not getattr(user, "is_active", False):
        return Instrument.objects.none()
    return scope.narrow(Instrument.objects.all(), user)  # e.g. an external auditor's grant


def instrument_list(user, filters: dict | None = None) -> QuerySet[Instrument]:
    filters = filters or {}
    qs = instruments_for_user(user).select_related("owner").only(*LIST_COLUMNS)
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(code__icontains=q) | Q(description__icontains=q) | Q(location__icontains=q))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    today = timezone.localdate()
    if filters.get("due") == "overdue":
        qs = qs.filter(status__in=ACTIVE, next_due__lt=today)
    elif filters.get("due") == "soon":
        qs = qs.filter(status__in=ACTIVE, next_due__gte=today, next_due__lte=today + timedelta(days=DUE_SOON_DAYS))
    if filters.get("mine"):
        qs = qs.filter(owner=user)
    return qs.order_by("code")


def calibrations_due(user, *, overdue: bool) -> QuerySet[Instrument]:
    """Instruments in service whose calibration is overdue (or due within DUE_SOON_DAYS).
    The quality manager sees all; an owner sees their own."""
    from qms.permissions import is_quality_manager

    today = timezone.localdate()
    qs = instruments_for_user(user).filter(status__in=ACTIVE)
    if not is_quality_manager(user):
        qs = qs.filter(owner=user)
    if overdue:
        qs = qs.filter(next_due__lt=today)
    else:
        qs = qs.filter(next_due__gte=today, next_due__lte=today + timedelta(days=DUE_SOON_DAYS))
    return qs.only("code", "description", "next_due").order_by("next_due", "code")


# ------------------------------------------------------------------ registers
REGISTER_COLUMNS = ["Id", "Description", "Location", "Owner", "Range", "Interval (months)", "Status",
                    "Last calibrated", "Next due"]
CALIBRATION_COLUMNS = ["Instrument", "Calibrated", "Result", "Next due", "Performed by", "Certificate",
                       "Recorded by"]


def _end_of(on: date) -> datetime:
    return datetime.combine(on, time.max, tzinfo=UTC)


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def register_rows(user, on: date | None):
    if on is None:
        qs = instruments_for_user(user).select_related("owner")
    else:
        qs = Instrument.history.as_of(_end_of(on)).filter(id__in=instruments_for_user(user).values("pk"))
        qs = qs.select_related("owner")
    for i in qs.order_by("code"):
        yield [i.code, i.description, i.location, i.owner.display_name if i.owner_id else "", i.measurement_range,
               i.calibration_interval_months, _label(S.choices, i.status), i.last_calibrated_on, i.next_due]


def calibration_rows(user, on: date | None):
    qs = Calibration.objects.filter(instrument__in=instruments_for_user(user).values("pk"))
    if on is not None:
        qs = qs.filter(recorded_at__lte=_end_of(on))
    qs = qs.select_related("instrument", "recorded_by").only(
        "calibrated_on", "due_on", "result", "performed_by", "certificate_number", "instrument__code",
        "recorded_by__username", "recorded_by__full_name", "recorded_by__first_name", "recorded_by__last_name")
    for c in qs.order_by("instrument__code", "-calibrated_on", "-id"):
        yield [c.instrument.code, c.calibrated_on, c.get_result_display(), c.due_on, c.performed_by,
               c.certificate_number, c.recorded_by.display_name]
