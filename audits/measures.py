"""What the audits app measures for computed KPIs (qms.measures, ISO 9001 9.1.1,
9.2, 10.2). Registered from AuditsConfig.ready(); each runs a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from statistics import median

from django.db.models import F, Q
from django.utils import timezone

from audits.models import Audit, Capa
from qms import measures


def _window(start: date, end: date):
    tz = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))


def capa_closed_on_time(start: date, end: date):
    """Of the CAPAs closed in the period, the share closed by their due date."""
    since, until = _window(start, end)
    closed = Capa.objects.filter(status=Capa.Status.CLOSED, closed_at__gte=since, closed_at__lt=until)
    return measures.percent(closed.filter(closed_at__date__lte=F("due_date")).count(), closed.count())


def capa_median_age(start: date, end: date):
    """The median age in days of the CAPAs still open at the end of the period."""
    _since, until = _window(start, end)
    open_then = Capa.objects.filter(raised_at__lt=until).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=until))
    ages = [(until - raised).days for raised in open_then.values_list("raised_at", flat=True)]
    if not ages:
        return None
    return Decimal(str(median(ages))).quantize(Decimal("0.1"))


def programme_completion(start: date, end: date):
    """Of the internal audits planned to start in the period, the share reported (or closed)."""
    since, until = _window(start, end)
    planned = Audit.objects.filter(audit_type=Audit.Type.INTERNAL, planned_start__gte=since, planned_start__lt=until)
    done = planned.filter(status__in=[Audit.Status.REPORTED, Audit.Status.CLOSED])
    return measures.percent(done.count(), planned.count())


measures.register("audits.capa_closed_on_time", "CAPAs closed on time", unit="%", better="higher",
                  compute=capa_closed_on_time, description="CAPAs closed in the period by their due date.")
measures.register("audits.capa_median_age", "Median age of open CAPAs", unit="days", better="lower",
                  compute=capa_median_age, description="Median days since raising, of CAPAs open at the period's end.")
measures.register("audits.programme_completion", "Audit programme completion", unit="%", better="higher",
                  compute=programme_completion,
                  description="Internal audits planned to start in the period that were reported.")
