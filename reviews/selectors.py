"""Reads of customer feedback, surveys and management reviews, cut to what the
user may see (qms.scope.narrow), with a fixed number of queries."""

from __future__ import annotations

from django.db.models import Q

from audits.selectors import capas_raised_from
from qms import scope
from qms.models import Job
from qms.permissions import can_read_everything
from reviews.models import Complaint, Decision, ManagementReview, SatisfactionSurvey

COMPLAINT_COLUMNS = ("number", "kind", "customer", "channel", "received_on", "reference", "category", "severity",
                     "status", "acknowledged_on", "responded_on", "owner__full_name", "owner__username",
                     "owner__first_name", "owner__last_name", "process__code", "process__name")


def complaints_for(user):
    return scope.narrow(Complaint.objects.all(), user)


def complaint_register(user, filters: dict | None = None):
    """The feedback log with its filters, newest first (indexed on received_on, id)."""
    f = filters or {}
    qs = complaints_for(user).select_related("owner", "process")
    if f.get("status") == "not_closed":
        qs = qs.exclude(status=Complaint.Status.CLOSED)
    elif f.get("status"):
        qs = qs.filter(status=f["status"])
    for name in ("kind", "category", "severity", "channel"):
        if f.get(name):
            qs = qs.filter(**{name: f[name]})
    if f.get("owner"):
        qs = qs.filter(owner=f["owner"])
    if f.get("since"):
        qs = qs.filter(received_on__gte=f["since"])
    if f.get("until"):
        qs = qs.filter(received_on__lte=f["until"])
    if f.get("q"):
        q = f["q"]
        qs = qs.filter(Q(number__icontains=q) | Q(customer__icontains=q) | Q(reference__icontains=q)
                       | Q(description__icontains=q))
    return qs.order_by("-received_on", "-id")


def complaint_detail(number: str) -> Complaint:
    return Complaint.objects.select_related("owner", "process", "created_by", "clause").get(number=number)


def complaint_capas(user, complaint: Complaint):
    return capas_raised_from(user, complaint).select_related("owner").order_by("raised_at")


def surveys_for(user):
    return scope.narrow(SatisfactionSurvey.objects.select_related("entered_by"), user).order_by("-period_end", "-id")


def reviews_for(user):
    qs = scope.narrow(ManagementReview.objects.select_related("chair"), user)
    if not can_read_everything(user):
        qs = qs.filter(Q(chair=user) | Q(attendees=user)).distinct()
    return qs.order_by("-meeting_date", "-id")


def review_detail(pk: int) -> ManagementReview:
    review = ManagementReview.objects.select_related("chair", "created_by").get(pk=pk)
    review._attendee_ids = set(review.attendees.values_list("pk", flat=True))
    return review


def review_actions(user):
    """The actions of management reviews' decisions (9.3.3): all for the quality manager, one's own
    for anyone else; open first, by due date."""
    from qms.permissions import is_quality_manager

    qs = Decision.objects.exclude(action_status="").select_related("review", "action_owner").order_by(
        "action_status", "action_due_date", "id")
    return qs if is_quality_manager(user) else qs.filter(action_owner=user)


def review_decisions(review: ManagementReview):
    return list(review.decisions.select_related("action_owner", "completed_by").order_by("seq"))


def latest_job(kind: str, object_id: int) -> Job | None:
    return Job.objects.filter(kind=kind, object_id=object_id).order_by("-created_at").first()


def open_actions_for(user):
    return (Decision.objects.filter(action_owner=user, action_status=Decision.ActionStatus.OPEN)
            .select_related("review").order_by("action_due_date", "id"))


def satisfaction_chart(user, *, last: int = 12):
    """The latest surveys' scores (%) over time, for the survey page."""
    from qms import charts

    surveys = list(surveys_for(user)[:last])[::-1]
    return charts.line("Customer satisfaction (%)", [f"{s.period_end:%Y-%m}" for s in surveys],
                       {"Satisfaction": [float(s.percent) for s in surveys]}, unit="%")
