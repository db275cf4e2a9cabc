"""Services: customer feedback, its CAPA gate, surveys, the review pack, decisions, signing and the lock."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audits import services as audit_services
from audits.models import Capa
from qms import measures, review_inputs
from qms.errors import DomainError, IllegalTransition, PermissionRefused, SignatureRefused
from qms.models import AuditEvent, Signature
from reviews import services
from reviews.models import Complaint, Decision, ManagementReview
from tests.reviews.factories import make_complaint, make_review, make_survey

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_logging_feedback_numbers_it_records_the_event_and_tells_the_owner(quality_manager, staff):
    c = make_complaint(quality_manager, owner=staff)
    assert c.number.startswith(f"CF-{c.received_on.year}-") and c.status == "open" and c.clause.number == "9.1.2"
    assert AuditEvent.objects.filter(verb="complaint.logged", object_id=str(c.pk)).exists()
    assert staff.notifications.filter(title__contains=c.number).exists()
    assert c.history.count() == 1


def test_feedback_received_in_the_future_is_refused(quality_manager):
    with pytest.raises(DomainError, match="future"):
        make_complaint(quality_manager, days_ago=-2)
    assert not Complaint.objects.exists()


def test_a_response_before_the_feedback_was_received_is_refused_and_changes_nothing(quality_manager):
    c = make_complaint(quality_manager, days_ago=5)
    with pytest.raises(DomainError, match="before the feedback was received"):
        services.complaint_respond(actor=quality_manager, complaint=c, on=c.received_on - timedelta(1),
                                   response="Replacement sent")
    c.refresh_from_db()
    assert c.status == "open" and c.responded_on is None


def test_the_database_refuses_a_response_before_receipt(quality_manager):
    c = make_complaint(quality_manager, days_ago=5)
    c.responded_on = c.received_on - timedelta(3)
    with pytest.raises(IntegrityError), transaction.atomic():
        c.save()


def test_feedback_goes_open_acknowledged_responded_closed(quality_manager, staff):
    c = make_complaint(quality_manager, owner=staff, days_ago=6)
    services.complaint_acknowledge(actor=staff, complaint=c, on=c.received_on + timedelta(1))
    services.complaint_respond(actor=staff, complaint=c, on=c.received_on + timedelta(3), response="Credit note")
    with pytest.raises(DomainError, match="resolution"):
        services.complaint_close(actor=staff, complaint=c, resolution=" ")
    c = services.complaint_close(actor=staff, complaint=c, resolution="Credit note issued, batch re-inspected")
    assert c.status == "closed" and c.closed_at
    verbs = list(AuditEvent.objects.filter(object_id=str(c.pk), verb__startswith="complaint.").values_list("verb", flat=True))
    assert verbs == ["complaint.logged", "complaint.acknowledged", "complaint.responded", "complaint.closed"]
    with pytest.raises(PermissionRefused):
        services.complaint_update(actor=staff, complaint=c, customer="Other")


def test_a_complaint_raises_a_capa_and_closes_only_when_the_capa_is_closed(quality_manager, staff, password):
    c = make_complaint(quality_manager, owner=staff)
    capa = services.complaint_raise_capa(actor=staff, complaint=c, title="Cracked housings", description="3 parts",
                                         severity="major", owner=staff)
    assert capa.source == Capa.Source.COMPLAINT and capa.origin == c and capa.origin_label == str(c)
    from audits.selectors import capas_raised_from

    assert list(capas_raised_from(quality_manager, c)) == [capa]
    services.complaint_respond(actor=staff, complaint=c, on=TODAY(), response="Investigating")
    with pytest.raises(IllegalTransition, match=capa.number):
        services.complaint_close(actor=staff, complaint=c, resolution="Done")
    # Close the CAPA by the book, then the complaint closes.
    audit_services.capa_analyse(actor=quality_manager, capa=capa, ca_needed=False, justification="Isolated case")
    capa.refresh_from_db()
    _close_capa(quality_manager, staff, capa, password)
    c = services.complaint_close(actor=staff, complaint=c, resolution="Parts replaced")
    assert c.status == "closed"


def _close_capa(qm, staff, capa, password):
    """Drive a CAPA that needs no corrective action to closed (whatever steps audits asks)."""
    from audits.lifecycles import CAPA

    for name in ("capa_start_implementation", "capa_request_verification"):
        fn = getattr(audit_services, name, None)
        if fn is not None and CAPA.can_move(capa, {"capa_start_implementation": "implementing",
                                                   "capa_request_verification": "verifying"}[name]):
            capa = fn(actor=qm, capa=capa)
    Capa.objects.filter(pk=capa.pk).update(status=Capa.Status.CLOSED)  # test shortcut past the effectiveness check


def test_survey_rules_future_period_score_above_scale_and_no_respondents(quality_manager, staff):
    end = TODAY() - timedelta(1)
    base = dict(title="Survey", period_start=end - timedelta(30), period_end=end, score=Decimal(4), scale_max=5,
                respondents=10)
    with pytest.raises(DomainError, match="not ended"):
        services.survey_enter(actor=quality_manager, **{**base, "period_end": TODAY() + timedelta(5)})
    with pytest.raises(DomainError, match="scale maximum"):
        services.survey_enter(actor=quality_manager, **{**base, "score": Decimal(6)})
    with pytest.raises(DomainError, match="respondent"):
        services.survey_enter(actor=quality_manager, **{**base, "respondents": 0})
    with pytest.raises(PermissionRefused):
        services.survey_enter(actor=staff, **base)
    s = services.survey_enter(actor=quality_manager, **base)
    assert s.percent == Decimal("80.0")


def test_the_satisfaction_measure_weights_surveys_by_respondents(quality_manager):
    make_survey(quality_manager, score=90, respondents=30, months_ago=1)
    make_survey(quality_manager, score=4, scale_max=5, respondents=10, months_ago=2)
    m = measures.get("reviews.customer_satisfaction")
    assert m is not None and m.unit == "%" and m.better == "higher"
    assert m.value(TODAY() - timedelta(400), TODAY()) == Decimal("87.5")  # (90*30 + 80*10) / 40
    assert m.value(TODAY() - timedelta(2000), TODAY() - timedelta(1500)) is None


def test_planning_a_review_compiles_one_section_per_input_and_empty_ones_say_so(quality_manager, staff):
    make_complaint(quality_manager, owner=staff)
    make_survey(quality_manager)
    review = make_review(quality_manager, attendees=[staff])
    keys = [s["key"] for s in review.pack]
    assert keys == [i.key for i in review_inputs.INPUTS]
    by_key = {s["key"]: s for s in review.pack}
    feedback = by_key["customer_satisfaction"]["contributions"][0]
    assert ["Complaints received", 1] in feedback["facts"]
    assert feedback["charts"] and feedback["charts"][0]["svg"].startswith("<svg")
    assert review.pack_compiled_at and review.number.startswith("MR-")
    assert AuditEvent.objects.filter(verb="review.planned", object_id=str(review.pk)).exists()


def test_a_review_period_must_end_before_the_meeting(quality_manager):
    with pytest.raises(DomainError, match="after the meeting"):
        services.review_plan(actor=quality_manager, title="MR", meeting_date=TODAY() - timedelta(10),
                             chair=quality_manager, period_start=TODAY() - timedelta(100), period_end=TODAY())


def test_a_decision_action_needs_an_owner_and_a_due_date_after_the_meeting(quality_manager, staff):
    review = make_review(quality_manager)
    with pytest.raises(DomainError, match="an owner"):
        services.decision_add(actor=quality_manager, review=review, kind="improvement", text="Faster answers",
                              action_description="Shared inbox", action_due_date=TODAY() + timedelta(60))
    with pytest.raises(DomainError, match="before the meeting"):
        services.decision_add(actor=quality_manager, review=review, kind="improvement", text="Faster answers",
                              action_description="Shared inbox", action_owner=staff, action_due_date=TODAY())
    assert not review.decisions.exists()
    d = services.decision_add(actor=quality_manager, review=review, kind="resources", text="Hire a planner")
    assert not d.has_action
    d = services.decision_add(actor=quality_manager, review=review, kind="improvement", text="Faster answers",
                              action_description="Shared inbox", action_owner=staff,
                              action_due_date=TODAY() + timedelta(60))
    assert d.action_status == "open" and d.seq == 2


def _approved_review(qm, staff, password):
    review = make_review(qm, meeting_in_days=0)
    services.decision_add(actor=qm, review=review, kind="improvement", text="Faster answers",
                          action_description="Shared inbox", action_owner=staff,
                          action_due_date=TODAY() + timedelta(60))
    services.review_update(actor=qm, review=review, conclusions="The QMS is suitable, adequate and effective.")
    return services.minutes_approve(actor=qm, review=review, password=password, comment="Approved")


def test_only_the_chair_signs_the_minutes_with_the_right_password(quality_manager, approver, staff, password):
    review = make_review(quality_manager, chair=approver)
    services.review_update(actor=quality_manager, review=review, conclusions="Effective.")
    with pytest.raises(PermissionRefused):
        services.minutes_approve(actor=quality_manager, review=review, password=password)
    with pytest.raises(SignatureRefused):
        services.minutes_approve(actor=approver, review=review, password="wrong")
    review = services.minutes_approve(actor=approver, review=review, password=password)
    assert review.status == "approved" and review.approved_at
    sig = Signature.objects.get(object_id=review.pk, meaning="approved")
    assert sig.signer == approver and sig.is_valid()


def test_minutes_without_conclusions_are_not_signed(quality_manager, password):
    review = make_review(quality_manager)
    with pytest.raises(DomainError, match="conclusions"):
        services.minutes_approve(actor=quality_manager, review=review, password=password)
    assert not Signature.objects.exists()


def test_minutes_signed_twice_are_refused(quality_manager, staff, password):
    review = _approved_review(quality_manager, staff, password)
    with pytest.raises(IllegalTransition):
        services.minutes_approve(actor=quality_manager, review=review, password=password)
    assert Signature.objects.filter(meaning="approved").count() == 1


def test_approved_minutes_are_locked_in_the_services(quality_manager, staff, password):
    review = _approved_review(quality_manager, staff, password)
    with pytest.raises(IllegalTransition, match="locked"):
        services.decision_add(actor=quality_manager, review=review, kind="improvement", text="More")
    with pytest.raises(IllegalTransition, match="locked"):
        services.review_update(actor=quality_manager, review=review, conclusions="Changed")
    with pytest.raises(IllegalTransition, match="locked"):
        services.review_compile(actor=quality_manager, review=review)
    d = review.decisions.get()
    with pytest.raises(IllegalTransition, match="locked"):
        services.decision_update(actor=quality_manager, decision=d, kind="improvement", text="Changed")
    # Actions are still tracked to completion, and the signature stays valid.
    services.action_complete(actor=staff, decision=d, note="Inbox set up")
    d.refresh_from_db()
    assert d.action_status == "done" and d.completed_by == staff
    assert Signature.objects.get(meaning="approved").is_valid()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database guards are PostgreSQL triggers")
def test_approved_minutes_are_locked_in_the_database(quality_manager, staff, password):
    review = _approved_review(quality_manager, staff, password)
    d = review.decisions.get()
    for attempt in (
        lambda: ManagementReview.objects.filter(pk=review.pk).update(conclusions="Rewritten"),
        lambda: Decision.objects.filter(pk=d.pk).update(text="Rewritten"),
        lambda: Decision.objects.create(review=review, seq=9, kind="improvement", text="Sneaked in"),
        lambda: review.attendees.add(staff),
        lambda: connection.cursor().execute("DELETE FROM reviews_decision WHERE id = %s", [d.pk]),
    ):
        with pytest.raises(Exception, match="locked|refused|append-only"), transaction.atomic():
            attempt()
    Decision.objects.filter(pk=d.pk).update(completion_note="allowed: tracking the action")


def test_previous_review_actions_show_in_the_next_pack(quality_manager, staff, password):
    _approved_review(quality_manager, staff, password)
    nxt = make_review(quality_manager, meeting_in_days=30)
    first = nxt.pack[0]
    assert first["key"] == "previous_actions"
    c = first["contributions"][0]
    assert ["Still open", 1] in c["facts"]
    assert c["tables"][0]["rows"][0][3] == "Shared inbox"


def test_only_the_owner_or_quality_manager_completes_an_action(quality_manager, staff, author, password):
    review = _approved_review(quality_manager, staff, password)
    d = review.decisions.get()
    with pytest.raises(PermissionRefused):
        services.action_complete(actor=author, decision=d, note="x")
    with pytest.raises(DomainError):
        services.action_complete(actor=staff, decision=d, note=" ")
    services.action_complete(actor=quality_manager, decision=d, note="Done")
    with pytest.raises(PermissionRefused):
        services.action_complete(actor=staff, decision=d, note="again")
