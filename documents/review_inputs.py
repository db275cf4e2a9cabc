"""The documents app's part of the management review input pack (ISO 9001
9.3.2 c 5, monitoring and measurement of document control, 7.5): changes
released in the period, periodic reviews and read-and-understood tasks.
A fixed number of aggregate queries."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.utils import timezone

from documents.models import Acknowledgement, Document, Revision
from qms.review_inputs import Contribution, Period, contributes


@contributes("monitoring")
def document_control(period: Period) -> Contribution:
    today = timezone.localdate()
    released = Revision.objects.filter(effective_date__gte=period.start, effective_date__lte=period.end).aggregate(
        n=Count("id"), new=Count("id", filter=Q(seq=1)))
    acks = Acknowledgement.objects.filter(due_date__gte=period.start, due_date__lte=period.end,
                                          cancelled_at__isnull=True).aggregate(
        due=Count("id"), on_time=Count("id", filter=Q(acknowledged_at__date__lte=F("due_date"))))
    return Contribution(
        "Document control",
        facts=[("Revisions made effective in the period", released["n"]), ("of which new documents", released["new"]),
               ("Effective documents now", Document.objects.with_effective().count()),
               ("Periodic reviews overdue now", Document.objects.review_overdue(today).count()),
               ("Read-and-understood tasks due in the period", acks["due"]),
               ("of which acknowledged on time", acks["on_time"])],
    )
