"""Who may do what with customer feedback, satisfaction surveys and management
reviews: this app's rules, registered with qms.rules."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qms import scope
from qms.permissions import (
    Role,
    can_read_everything,
    can_write,
    has_a_role,
    has_role,
    is_quality_manager,
)
from qms.rules import predicate, rule
from reviews.models import Complaint, Decision, ManagementReview


# ------------------------------------------------------------------ customer feedback
@predicate
def can_view_complaint(user, complaint) -> bool:
    return has_a_role(user) and scope.contains(user, complaint)


@predicate
def can_log_complaint(user) -> bool:
    return can_write(user) and has_role(user, Role.STAFF, Role.QUALITY_MANAGER)


@predicate
def is_complaint_owner(user, complaint) -> bool:
    return complaint is not None and complaint.owner_id == user.pk


@predicate
def complaint_open(user, complaint) -> bool:
    return complaint is not None and complaint.status != Complaint.Status.CLOSED


rule("reviews.view_complaints", has_a_role, _("You cannot read the customer feedback log."))
rule("reviews.view_complaint", can_view_complaint, _("You cannot read this customer feedback."))
rule("reviews.log_complaint", can_log_complaint, _("Only staff and the quality manager log customer feedback."))
rule("reviews.export_complaints", has_a_role, _("You cannot export the customer feedback log."))
rule("reviews.handle_complaint", can_write & complaint_open & (is_complaint_owner | is_quality_manager),
     _("Only the owner or the quality manager handles this feedback, and not once it is closed."))


# ------------------------------------------------------------------ satisfaction surveys
rule("reviews.view_surveys", has_a_role, _("You cannot read the satisfaction survey results."))
rule("reviews.enter_survey", can_write & is_quality_manager, _("Only the quality manager enters survey results."))


# ------------------------------------------------------------------ management reviews
def _attends(user, review) -> bool:
    cached = getattr(review, "_attendee_ids", None)
    if cached is None:
        cached = {u.pk for u in review.attendees.all()}
    return review.chair_id == user.pk or user.pk in cached


@predicate
def can_view_review(user, review) -> bool:
    if not has_a_role(user) or not scope.contains(user, review):
        return False
    return can_read_everything(user) or _attends(user, review)


@predicate
def is_chair(user, review) -> bool:
    return review is not None and review.chair_id == user.pk


@predicate
def review_unlocked(user, review) -> bool:
    return review is not None and review.status == ManagementReview.Status.PLANNED


@predicate
def can_complete_action(user, decision) -> bool:
    if not can_write(user) or decision is None or decision.action_status != Decision.ActionStatus.OPEN:
        return False
    return decision.action_owner_id == user.pk or is_quality_manager(user)


rule("reviews.view_reviews", has_a_role, _("You cannot read management reviews."))
rule("reviews.view_review", can_view_review,
     _("Management reviews are for the quality manager, auditors and the review's chair and attendees."))
rule("reviews.plan_review", can_write & is_quality_manager, _("Only the quality manager plans management reviews."))
rule("reviews.edit_minutes", can_write & review_unlocked & (is_quality_manager | is_chair),
     _("Only the chair or the quality manager writes the minutes, and not once they are approved."))
rule("reviews.sign_minutes", can_write & review_unlocked & is_chair,
     _("Only the chair approves the minutes, once."))
rule("reviews.request_pack_pdf", can_write & can_view_review, _("You cannot print this management review."))
rule("reviews.complete_action", can_complete_action,
     _("Only the action's owner or the quality manager completes an open review action."))
