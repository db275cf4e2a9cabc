"""What this app gives the core's registries (called from EquipmentConfig.ready()):
registers, readiness evidence (7.1.5), a management review contribution on
resources, the Reference kind "instrument" for record forms, and the menu."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from equipment import selectors
from equipment.models import Calibration, Instrument
from qms import evidence, nav, references, registers, review_inputs, scope
from qms.i18n import in_sentence

S = Instrument.Status


def refusal(instrument: Instrument) -> str | None:
    """Why `instrument` cannot be chosen on a new record now (7.1.5.1: only fit instruments are used)."""
    from django.utils import timezone
    from django.utils.translation import gettext

    if instrument.status != S.IN_USE:
        return (gettext("%(code)s is %(status)s: it cannot be used for measurements.")
                % {"code": instrument.code, "status": in_sentence(instrument.get_status_display())})
    if instrument.next_due is None or instrument.next_due < timezone.localdate():
        if instrument.next_due:
            return (gettext("%(code)s is overdue for calibration (due %(date)s): it cannot be used until it is "
                            "calibrated.") % {"code": instrument.code, "date": f"{instrument.next_due:%Y-%m-%d}"})
        return (gettext("%(code)s is overdue for calibration: it cannot be used until it is calibrated.")
                % {"code": instrument.code})
    return None


def register_all() -> None:
    scope.links(Instrument, clauses="clause")
    scope.links(Calibration, clauses="instrument__clause")
    registers.declare(registers.Register(
        key="equipment.instruments", title="Measuring equipment register", clause="7.1.5",
        rule="equipment.view_equipment", columns=selectors.REGISTER_COLUMNS, rows=selectors.register_rows,
        url_name="equipment:index"))
    registers.declare(registers.Register(
        key="equipment.calibrations", title="Calibration records", clause="7.1.5.2",
        rule="equipment.view_equipment", columns=selectors.CALIBRATION_COLUMNS, rows=selectors.calibration_rows))
    evidence.provider(equipment_evidence)
    review_inputs.contributes("resources")(resources_input)
    references.register(references.Kind(
        key="instrument", label=gettext_lazy("Measuring instrument"),
        choices=lambda: Instrument.objects.exclude(status=S.RETIRED).only("code", "description", "status", "next_due")
        .order_by("code"),
        identifier="code", refuse=refusal, describe=lambda i: f"{i.code} {i.description}"))
    nav.entry("Resources", gettext_noop("Measuring equipment"), "equipment:index", rule="equipment.view_equipment",
              prefix="/equipment/", order=30)


def equipment_evidence(today) -> list[evidence.Evidence]:
    """7.1.5.1: instruments in use; 7.1.5.2: calibrated on time (none overdue)."""
    agg = Instrument.objects.filter(status__in=selectors.ACTIVE).aggregate(
        n=Count("id"), overdue=Count("id", filter=Q(next_due__lt=today)))
    n, overdue = agg["n"], agg["overdue"]
    calibrated = Calibration.objects.filter(calibrated_on__gte=today - timedelta(days=400)).count()
    url = reverse("equipment:index")
    return [
        evidence.Evidence("7.1.5.1", gettext("Measuring equipment register"), count=n, current=bool(n),
                          reason="" if n else gettext("No instrument registered"), url=url),
        evidence.Evidence("7.1.5.2", gettext("Calibration records"), count=calibrated, current=bool(n) and overdue == 0,
                          reason=(gettext("%(count)s instrument(s) overdue for calibration") % {"count": overdue}
                                  if overdue else "" if n else gettext("No instrument registered")),
                          url=url + "?due=overdue"),
    ]


def resources_input(period: review_inputs.Period) -> review_inputs.Contribution:
    from django.utils import timezone

    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    end = datetime.combine(period.end, time.max, tzinfo=UTC)
    cals = Calibration.objects.filter(calibrated_on__gte=period.start, calibrated_on__lte=period.end)
    active = Instrument.objects.filter(status__in=selectors.ACTIVE)
    return review_inputs.Contribution(
        heading="Monitoring and measuring resources (7.1.5)",
        facts=[("Instruments in service", active.count()),
               ("Overdue for calibration today", active.filter(next_due__lt=timezone.localdate()).count()),
               ("Calibrations in the period", cals.count()),
               ("Found out of tolerance", cals.filter(result=Calibration.Result.OUT_OF_TOLERANCE).count()),
               ("Instruments registered in the period",
                Instrument.objects.filter(created_at__gte=start, created_at__lte=end).count())],
    )
