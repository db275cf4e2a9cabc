"""What the records app measures for computed KPIs (qms.measures, ISO 9001 9.1.1).
Registered from RecordsConfig.ready(); each runs a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import DateTimeField as DTField
from django.db.models import ExpressionWrapper, F
from django.utils import timezone

from qms import measures
from records.models import VERIFICATION_DUE_DAYS, Record


def _window(start: date, end: date):
    tz = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))


def verified_in_time(start: date, end: date):
    """Of the records submitted in the period that need a second-person
    verification, the share verified within VERIFICATION_DUE_DAYS of submission."""
    since, until = _window(start, end)
    needing = Record.objects.filter(record_type__verification_required=True, submitted_at__gte=since,
                                    submitted_at__lt=until).exclude(status=Record.Status.DRAFT)
    limit = ExpressionWrapper(F("submitted_at") + timedelta(days=VERIFICATION_DUE_DAYS), output_field=DTField())
    in_time = needing.filter(verified_at__isnull=False).alias(limit=limit).filter(verified_at__lte=F("limit"))
    return measures.percent(in_time.count(), needing.count())


measures.register("records.verified_in_time", f"Records verified within {VERIFICATION_DUE_DAYS} days", unit="%",
                  better="higher", compute=verified_in_time,
                  description="Records submitted in the period needing verification, verified within "
                              f"{VERIFICATION_DUE_DAYS} days.")
