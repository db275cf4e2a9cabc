"""Admin: read-only; feedback, surveys and reviews change only through the app's services."""

from django.contrib import admin

from qms.admin import ReadOnlyAdmin
from reviews.models import Complaint, Decision, ManagementReview, SatisfactionSurvey


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "customer", "received_on", "category", "severity", "owner", "status")
    list_filter = ("kind", "status", "category", "severity")
    search_fields = ("number", "customer", "reference")


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(ReadOnlyAdmin):
    list_display = ("title", "period_start", "period_end", "score", "scale_max", "respondents")


@admin.register(ManagementReview)
class ManagementReviewAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "meeting_date", "chair", "status")
    exclude = ("pack",)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("review", "seq", "kind", "action_owner", "action_due_date", "action_status")
