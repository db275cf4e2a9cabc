"""Small builders of this app's objects, through the services."""

from datetime import timedelta

from django.utils import timezone

from reviews import services


def make_complaint(actor, *, owner=None, days_ago=5, customer="Volta Motors", kind="complaint", **extra):
    fields = dict(kind=kind, customer=customer, channel="email", received_on=timezone.localdate() - timedelta(days_ago),
                  description="Housing cracked at the flange.", category="product", severity="high",
                  owner=owner or actor, reference="PO-4711")
    fields.update(extra)
    return services.complaint_log(actor=actor, **fields)


def make_survey(actor, *, months_ago=1, score=82, scale_max=100, respondents=40, title="Customer survey"):
    end = timezone.localdate().replace(day=1) - timedelta(days=1 + 30 * (months_ago - 1))
    return services.survey_enter(actor=actor, title=title, period_start=end - timedelta(days=90), period_end=end,
                                 score=score, scale_max=scale_max, respondents=respondents, comments="Fast delivery")


def make_review(actor, *, chair=None, attendees=(), meeting_in_days=7, title="Management review"):
    today = timezone.localdate()
    return services.review_plan(actor=actor, title=title, meeting_date=today + timedelta(meeting_in_days),
                                chair=chair or actor, period_start=today - timedelta(365), period_end=today,
                                attendees=attendees)
