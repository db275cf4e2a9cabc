"""What the documents app measures for computed KPIs (qms.measures, ISO 9001 9.1.1).
Registered from DocumentsConfig.ready(); each runs a fixed number of queries."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, F, OuterRef, Q

from documents.models import Acknowledgement, PeriodicReview
from qms import measures


def reviews_on_time(start: date, end: date):
    """Of the periodic reviews that fell due in the period, the share done by
    their due date (the next review after the one that set the date)."""
    due = PeriodicReview.objects.filter(next_review_date__range=(start, end))
    done_in_time = PeriodicReview.objects.filter(
        document_id=OuterRef("document_id"), reviewed_at__gt=OuterRef("reviewed_at"),
        reviewed_at__date__lte=OuterRef("next_review_date"))
    return measures.percent(due.filter(Exists(done_in_time)).count(), due.count())


def acknowledgements_on_time(start: date, end: date):
    """Of the read-and-understood acknowledgements due in the period (not
    cancelled), the share signed by their due date."""
    due = Acknowledgement.objects.filter(due_date__range=(start, end), cancelled_at__isnull=True)
    on_time = due.filter(Q(acknowledged_at__isnull=False) & Q(acknowledged_at__date__lte=F("due_date")))
    return measures.percent(on_time.count(), due.count())


measures.register("documents.reviews_on_time", "Periodic document reviews done on time", unit="%", better="higher",
                  compute=reviews_on_time,
                  description="Reviews due in the period that were signed by their due date.")
measures.register("documents.acknowledgements_on_time", "Acknowledgements made on time", unit="%", better="higher",
                  compute=acknowledgements_on_time,
                  description="Read-and-understood acknowledgements due in the period that were signed by the due date.")
