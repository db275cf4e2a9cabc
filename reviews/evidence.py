"""Readiness evidence (qms.evidence): 9.1.2 by customer satisfaction data
within 12 months, 9.3 by a management review signed within 12 months."""

from datetime import timedelta

from django.db.models import Count, Max, Q
from django.urls import reverse

from qms import evidence
from reviews.models import Complaint, ManagementReview, SatisfactionSurvey

CYCLE = timedelta(days=365)


@evidence.provider
def reviews_evidence(today) -> list[evidence.Evidence]:
    since = today - CYCLE
    # One aggregate per table (conditional counts), whatever the rows.
    agg = SatisfactionSurvey.objects.aggregate(recent=Count("id", filter=Q(period_end__gte=since)),
                                               latest=Max("period_end"))
    surveys, latest_survey = agg["recent"], agg["latest"]
    complaints = Complaint.objects.filter(received_on__gte=since).count()
    out = []
    if latest_survey is not None or complaints:
        out.append(evidence.Evidence(
            "9.1.2", "Customer satisfaction surveys", count=surveys, current=bool(surveys),
            reason="" if surveys else (f"No satisfaction data since {latest_survey:%Y-%m-%d}" if latest_survey
                                       else "No satisfaction survey entered"),
            url=reverse("reviews:surveys")))
    if complaints:
        out.append(evidence.Evidence("8.2.1", "Customer feedback log", count=complaints, current=True,
                                     url=reverse("reviews:complaints")))
    signed = Q(status=ManagementReview.Status.APPROVED)
    agg = ManagementReview.objects.aggregate(
        any=Count("id"), recent=Count("id", filter=signed & Q(meeting_date__gte=since)),
        last=Max("meeting_date", filter=signed))
    recent, last = agg["recent"], agg["last"]
    if last is not None or agg["any"]:
        out.append(evidence.Evidence(
            "9.3", "Management reviews with signed minutes", count=recent, current=bool(recent),
            reason="" if recent else (f"Last signed management review {last:%Y-%m-%d}, more than 12 months ago"
                                      if last else "No management review minutes signed yet"),
            url=reverse("reviews:reviews")))
    return out
