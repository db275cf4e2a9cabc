"""Every change to customer feedback, satisfaction surveys and management
reviews: one keyword-only, atomic function per action, the only place that writes."""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from audits import services as audit_services
from audits.models import Capa
from qms import jobs, review_inputs
from qms.audit import attribute, record_event
from qms.errors import DomainError, IllegalTransition
from qms.lifecycle import guard, transition
from qms.models import Clause
from qms.notifications import notify
from qms.rules import require
from qms.signatures import Meaning, authenticate_signer, sign
from qms.stored_text import text as said
from reviews.models import Complaint, Decision, ManagementReview, SatisfactionSurvey
from reviews.pack import serialise

COMPLAINT_FIELDS = ("kind", "customer", "contact", "channel", "received_on", "reference", "description", "category",
                    "severity", "owner", "process")
SURVEY_FIELDS = ("title", "method", "period_start", "period_end", "score", "scale_max", "respondents", "comments")
REVIEW_FIELDS = ("title", "meeting_date", "period_start", "period_end", "chair")


def _full_clean(obj, exclude=None):
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise DomainError(" ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v)
                                   for k, v in exc.message_dict.items())) from exc


def _clause(number: str) -> Clause:
    return Clause.objects.get(number=number)


def _next_number(model, prefix: str, width: int) -> str:
    last = model.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:0{width}d}"


def _not_future(label: str, when: date | None) -> None:
    if when is not None and when > timezone.localdate():
        raise DomainError({"received": gettext("The received date is in the future."),
                           "acknowledgement": gettext("The acknowledgement date is in the future."),
                           "response": gettext("The response date is in the future.")}[label])


# ------------------------------------------------------------------ customer feedback
def _check_complaint_dates(c: Complaint) -> None:
    _not_future("received", c.received_on)
    for label, when in (("acknowledgement", c.acknowledged_on), ("response", c.responded_on)):
        if when is not None and when < c.received_on:
            message = (gettext("The acknowledgement date is before the feedback was received (%(date)s).")
                       if label == "acknowledgement"
                       else gettext("The response date is before the feedback was received (%(date)s)."))
            raise DomainError(message % {"date": f"{c.received_on:%Y-%m-%d}"})
        _not_future(label, when)


@transaction.atomic
def complaint_log(*, actor, kind: str = Complaint.Kind.COMPLAINT, customer: str, channel: str, received_on: date,
                  description: str, category: str, severity: str, owner, contact: str = "", reference: str = "",
                  process=None) -> Complaint:
    """Log customer feedback (ISO 9001 8.2.1 c): who, how, when, about what; the owner is told."""
    require("reviews.log_complaint", actor)
    year = received_on.year if received_on else timezone.localdate().year
    complaint = Complaint(
        number=_next_number(Complaint, f"CF-{year}-", 4), kind=kind, customer=customer.strip(),
        contact=contact.strip(), channel=channel, received_on=received_on, reference=reference.strip(),
        description=description.strip(), category=category, severity=severity, owner=owner, process=process,
        clause=_clause("9.1.2"), created_by=actor,
    )
    _check_complaint_dates(complaint)
    _full_clean(complaint)
    attribute(complaint, actor, "Feedback logged")
    complaint.save()
    record_event(actor=actor, verb="complaint.logged", obj=complaint, to_state=complaint.status,
                 comment=_english(complaint.get_kind_display))
    if owner.pk != actor.pk:
        notify(owner, title=said(gettext_noop("%(number)s assigned to you"), number=complaint.number),
               body=complaint.customer,
               url=complaint.get_absolute_url())
    return complaint


@transaction.atomic
def complaint_update(*, actor, complaint: Complaint, **fields) -> Complaint:
    """Correct the details of open feedback (history keeps the old values)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    require("reviews.handle_complaint", actor, complaint)
    unknown = set(fields) - set(COMPLAINT_FIELDS)
    if unknown:
        raise DomainError(gettext("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        setattr(complaint, name, value.strip() if isinstance(value, str) else value)
    _check_complaint_dates(complaint)
    _full_clean(complaint)
    attribute(complaint, actor, "Details changed")
    complaint.save()
    record_event(actor=actor, verb="complaint.changed", obj=complaint)
    return complaint


@transaction.atomic
def complaint_acknowledge(*, actor, complaint: Complaint, on: date) -> Complaint:
    """The customer was told their feedback was received (open → acknowledged)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    guard(complaint, Complaint.Status.ACKNOWLEDGED, actor=actor, rule="reviews.handle_complaint")
    complaint.acknowledged_on = on
    _check_complaint_dates(complaint)
    return transition(complaint, Complaint.Status.ACKNOWLEDGED, actor=actor, verb="complaint.acknowledged")


@transaction.atomic
def complaint_respond(*, actor, complaint: Complaint, on: date, response: str) -> Complaint:
    """The customer got an answer (→ responded); an answer also acknowledges receipt."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    guard(complaint, Complaint.Status.RESPONDED, actor=actor, rule="reviews.handle_complaint")
    if not response.strip():
        raise DomainError(gettext("Say what the customer was told."))
    if on is not None and complaint.acknowledged_on and on < complaint.acknowledged_on:
        raise DomainError(gettext("The response date is before the acknowledgement (%(date)s).")
                          % {"date": f"{complaint.acknowledged_on:%Y-%m-%d}"})
    complaint.responded_on, complaint.response = on, response.strip()
    complaint.acknowledged_on = complaint.acknowledged_on or on
    _check_complaint_dates(complaint)
    return transition(complaint, Complaint.Status.RESPONDED, actor=actor, verb="complaint.responded",
                      comment=response.strip()[:500])


def raised_capas(complaint: Complaint):
    """Every CAPA the complaint raised, whoever may see it (the closure gate counts them all)."""
    return Capa.objects.filter(origin_type=ContentType.objects.get_for_model(Complaint), origin_id=complaint.pk)


@transaction.atomic
def complaint_raise_capa(*, actor, complaint: Complaint, title: str, description: str, severity: str, owner,
                         due_date: date | None = None) -> Capa:
    """Open a nonconformity and CAPA from a complaint (ISO 9001 10.2.1, source "complaint")."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    require("reviews.handle_complaint", actor, complaint)
    if due_date is not None and due_date < timezone.localdate():
        raise DomainError(gettext("The CAPA due date is in the past."))
    capa = audit_services.capa_raise(
        actor=actor, source=Capa.Source.COMPLAINT, title=title, description=description, severity=severity,
        owner=owner, process=complaint.process, clause=_clause("8.2.1"), due_date=due_date, origin=complaint,
    )
    record_event(actor=actor, verb="complaint.capa_raised", obj=complaint, comment=capa.number,
                 data={"capa": capa.number})
    return capa


@transaction.atomic
def complaint_close(*, actor, complaint: Complaint, resolution: str) -> Complaint:
    """responded → closed with the resolution; refused while a CAPA it raised is not closed."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    guard(complaint, Complaint.Status.CLOSED, actor=actor, rule="reviews.handle_complaint")
    if not resolution.strip():
        raise DomainError(gettext("State the resolution before closing."))
    still_open = list(raised_capas(complaint).exclude(status=Capa.Status.CLOSED).values_list("number", flat=True))
    if still_open:
        raise IllegalTransition(gettext("%(number)s cannot close while its CAPA is not closed: %(capas)s.")
                                % {"number": complaint.number, "capas": ", ".join(still_open)})
    complaint.resolution = resolution.strip()
    complaint.closed_at = timezone.now()
    return transition(complaint, Complaint.Status.CLOSED, actor=actor, verb="complaint.closed",
                      comment=resolution.strip()[:500])


# ------------------------------------------------------------------ satisfaction surveys
def _check_survey(s: SatisfactionSurvey) -> None:
    if s.period_end and s.period_start and s.period_end < s.period_start:
        raise DomainError(gettext("The period ends before it starts."))
    if s.period_end and s.period_end > timezone.localdate():
        raise DomainError(gettext("The survey period has not ended yet: enter its result when it has."))
    if s.score is not None and s.scale_max and not (0 <= s.score <= s.scale_max):
        raise DomainError(gettext("The score must lie between 0 and the scale maximum %(max)s.") % {"max": s.scale_max})
    if not s.respondents:
        raise DomainError(gettext("A survey result needs at least one respondent."))


@transaction.atomic
def survey_enter(*, actor, title: str, period_start: date, period_end: date, score, scale_max: int,
                 respondents: int, method: str = "", comments: str = "") -> SatisfactionSurvey:
    """Enter the result of a customer satisfaction survey for a past period (ISO 9001 9.1.2)."""
    require("reviews.enter_survey", actor)
    survey = SatisfactionSurvey(title=title.strip(), method=method.strip(), period_start=period_start,
                                period_end=period_end, score=score, scale_max=scale_max, respondents=respondents,
                                comments=comments.strip(), clause=_clause("9.1.2"), entered_by=actor)
    _check_survey(survey)
    _full_clean(survey)
    attribute(survey, actor, "Survey result entered")
    survey.save()
    record_event(actor=actor, verb="survey.entered", obj=survey)
    return survey


@transaction.atomic
def survey_update(*, actor, survey: SatisfactionSurvey, **fields) -> SatisfactionSurvey:
    require("reviews.enter_survey", actor)
    survey = SatisfactionSurvey.objects.select_for_update().get(pk=survey.pk)
    for name, value in fields.items():
        if name not in SURVEY_FIELDS:
            raise DomainError(gettext("%(name)s cannot be changed here.") % {"name": name})
        setattr(survey, name, value.strip() if isinstance(value, str) else value)
    _check_survey(survey)
    _full_clean(survey)
    attribute(survey, actor, "Survey result corrected")
    survey.save()
    record_event(actor=actor, verb="survey.changed", obj=survey)
    return survey


# ------------------------------------------------------------------ management review
def _english(display) -> str:
    """A choice label for the audit trail, which stores it: English, whatever the actor's language."""
    with translation.override("en"):
        return str(display())


def _check_review(r: ManagementReview) -> None:
    if r.period_end < r.period_start:
        raise DomainError(gettext("The period covered ends before it starts."))
    if r.period_end > r.meeting_date:
        raise DomainError(gettext("The period covered ends after the meeting: a review looks back on a past period."))


def _compile(review: ManagementReview) -> None:
    with translation.override("en"):  # the pack is stored: its labels stay in English, whoever compiles it
        sections = review_inputs.compile_inputs(review_inputs.Period(review.period_start, review.period_end))
        review.pack = serialise(sections)
    review.pack_compiled_at = timezone.now()


def _locked_check(review: ManagementReview) -> None:
    if review.locked:
        raise IllegalTransition(gettext("%(number)s: the minutes are approved and locked; nothing can change.")
                                % {"number": review.number})


@transaction.atomic
def review_plan(*, actor, title: str, meeting_date: date, chair, period_start: date, period_end: date,
                attendees=()) -> ManagementReview:
    """Plan a management review (ISO 9001 9.3.1) and compile its input pack
    (9.3.2) from live data for the period covered."""
    require("reviews.plan_review", actor)
    review = ManagementReview(number=_next_number(ManagementReview, f"MR-{meeting_date.year}-", 2),
                              title=title.strip(), meeting_date=meeting_date, chair=chair,
                              period_start=period_start, period_end=period_end, clause=_clause("9.3"),
                              created_by=actor)
    _check_review(review)
    _full_clean(review)
    _compile(review)
    attribute(review, actor, "Review planned")
    review.save()
    review.attendees.set(attendees)
    record_event(actor=actor, verb="review.planned", obj=review, to_state=review.status,
                 comment=f"{period_start:%Y-%m-%d} – {period_end:%Y-%m-%d}")
    if chair.pk != actor.pk:
        notify(chair, title=said(gettext_noop("You chair %(number)s"), number=review.number), body=review.title,
               url=review.get_absolute_url())
    return review


@transaction.atomic
def review_update(*, actor, review: ManagementReview, attendees=None, **fields) -> ManagementReview:
    """Change the meeting's details before the minutes are approved; a new period recompiles the pack."""
    review = ManagementReview.objects.select_for_update().get(pk=review.pk)
    _locked_check(review)
    require("reviews.edit_minutes", actor, review)
    old_period = (review.period_start, review.period_end)
    for name, value in fields.items():
        if name not in REVIEW_FIELDS + ("conclusions",):
            raise DomainError(gettext("%(name)s cannot be changed here.") % {"name": name})
        setattr(review, name, value.strip() if isinstance(value, str) else value)
    _check_review(review)
    _full_clean(review)
    if (review.period_start, review.period_end) != old_period:
        _compile(review)
    attribute(review, actor, "Review changed")
    review.save()
    if attendees is not None:
        review.attendees.set(attendees)
    record_event(actor=actor, verb="review.changed", obj=review)
    return review


@transaction.atomic
def review_compile(*, actor, review: ManagementReview) -> ManagementReview:
    """Compile the input pack again from today's data (before the minutes are approved)."""
    review = ManagementReview.objects.select_for_update().get(pk=review.pk)
    _locked_check(review)
    require("reviews.edit_minutes", actor, review)
    _compile(review)
    attribute(review, actor, "Input pack compiled")
    review.save()
    record_event(actor=actor, verb="review.pack_compiled", obj=review,
                 comment=f"{review.period_start:%Y-%m-%d} – {review.period_end:%Y-%m-%d}")
    return review


def request_pack_pdf(*, actor, review: ManagementReview):
    """The input pack (and minutes so far) as a controlled PDF, made by a background job."""
    require("reviews.request_pack_pdf", actor, review)
    return jobs.request_job(kind="review_pack_pdf", actor=actor, target=review)


def _check_decision(review: ManagementReview, d: Decision) -> None:
    if not (d.text or "").strip():
        raise DomainError(gettext("Write the decision."))
    wants_action = bool((d.action_description or "").strip() or d.action_owner_id or d.action_due_date)
    if wants_action:
        missing = [label for label, v in ((gettext("the action"), (d.action_description or "").strip()),
                                          (gettext("an owner"), d.action_owner_id),
                                          (gettext("a due date"), d.action_due_date)) if not v]
        if missing:
            raise DomainError(gettext("An action needs %(missing)s.") % {"missing": ", ".join(missing)})
        if d.action_due_date < review.meeting_date:
            raise DomainError(gettext("The action is due before the meeting (%(date)s).")
                              % {"date": f"{review.meeting_date:%Y-%m-%d}"})
        d.action_status = d.action_status or Decision.ActionStatus.OPEN
    else:
        d.action_status = Decision.ActionStatus.NONE


@transaction.atomic
def decision_add(*, actor, review: ManagementReview, kind: str, text: str, action_description: str = "",
                 action_owner=None, action_due_date: date | None = None) -> Decision:
    """Record an output of the review (ISO 9001 9.3.3), optionally as an action with an owner and a due date."""
    review = ManagementReview.objects.select_for_update().get(pk=review.pk)
    _locked_check(review)
    require("reviews.edit_minutes", actor, review)
    seq = (review.decisions.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    d = Decision(review=review, seq=seq, kind=kind, text=text.strip(), action_description=action_description.strip(),
                 action_owner=action_owner, action_due_date=action_due_date)
    _check_decision(review, d)
    _full_clean(d)
    attribute(d, actor, "Decision recorded")
    d.save()
    record_event(actor=actor, verb="review.decision_added", obj=review, comment=d.text[:300], data={"seq": seq})
    if action_owner is not None and action_owner.pk != actor.pk:
        notify(action_owner, title=said(gettext_noop("Action from %(number)s"), number=review.number),
               body=d.action_description[:200],
               url=d.get_absolute_url())
    return d


@transaction.atomic
def decision_update(*, actor, decision: Decision, kind: str, text: str, action_description: str = "",
                    action_owner=None, action_due_date: date | None = None) -> Decision:
    review = ManagementReview.objects.select_for_update().get(pk=decision.review_id)
    _locked_check(review)
    require("reviews.edit_minutes", actor, review)
    d = Decision.objects.get(pk=decision.pk)
    d.kind, d.text, d.action_description = kind, text.strip(), action_description.strip()
    d.action_owner, d.action_due_date = action_owner, action_due_date
    _check_decision(review, d)
    _full_clean(d)
    attribute(d, actor, "Decision changed")
    d.save()
    record_event(actor=actor, verb="review.decision_changed", obj=review, comment=d.text[:300], data={"seq": d.seq})
    return d


@transaction.atomic
def minutes_approve(*, actor, review: ManagementReview, password: str, comment: str = "") -> ManagementReview:
    """The chair approves the minutes with an e-signature; the review is then locked (ISO 9001 9.3.3,
    retained documented information)."""
    guard(review, ManagementReview.Status.APPROVED, actor=actor, rule="reviews.sign_minutes")
    authenticate_signer(actor, password, obj=review, meaning=Meaning.APPROVED)
    review = ManagementReview.objects.select_for_update().get(pk=review.pk)
    if review.locked:
        raise IllegalTransition(gettext("The minutes of %(number)s are already approved.") % {"number": review.number})
    if not review.conclusions.strip():
        raise DomainError(gettext("Write the conclusions on the suitability, adequacy and effectiveness of the QMS first."))
    sign(signer=actor, password=password, obj=review, meaning=Meaning.APPROVED, comment=comment)
    review.approved_at = timezone.now()
    return transition(review, ManagementReview.Status.APPROVED, actor=actor, verb="review.minutes_approved",
                      comment=comment)


@transaction.atomic
def action_complete(*, actor, decision: Decision, note: str) -> Decision:
    """A review action is done (tracked to completion; shown in the next review's first input)."""
    d = Decision.objects.select_for_update().select_related("review").get(pk=decision.pk)
    require("reviews.complete_action", actor, d)
    if not note.strip():
        raise DomainError(gettext("Say what was done."))
    d.action_status = Decision.ActionStatus.DONE
    d.completed_at, d.completed_by, d.completion_note = timezone.now(), actor, note.strip()
    attribute(d, actor, "Action completed")
    d.save()
    record_event(actor=actor, verb="review.action_completed", obj=d, from_state="open", to_state="done",
                 comment=note.strip()[:300])
    return d
