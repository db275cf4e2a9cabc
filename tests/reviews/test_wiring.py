"""Wiring into the core: my tasks and the digest, readiness evidence, measures, menu, trail labels."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qms import dashboard, evidence, measures, nav
from reviews import services
from tests.reviews.factories import make_complaint, make_review, make_survey

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _section(user, key):
    return next((s for s in dashboard.sections_for(user) if s.key == key), None)


def test_my_tasks_list_feedback_actions_and_minutes_to_sign(quality_manager, staff):
    make_complaint(quality_manager, owner=staff, days_ago=20)
    review = make_review(quality_manager, meeting_in_days=0)
    services.decision_add(actor=quality_manager, review=review, kind="improvement", text="Inbox",
                          action_description="Shared inbox", action_owner=staff, action_due_date=TODAY())
    mine = _section(staff, "reviews.my_complaints")
    assert mine.total == 1 and mine.items[0].overdue and mine.digest
    actions = _section(staff, "reviews.my_actions")
    assert actions.total == 1 and "Shared inbox" in actions.items[0].label
    to_sign = _section(quality_manager, "reviews.minutes_to_sign")
    assert to_sign.total == 1 and review.number in to_sign.items[0].label
    assert _section(staff, "reviews.minutes_to_sign") is None


def test_dashboard_sections_run_a_fixed_number_of_queries(quality_manager, staff, django_assert_max_num_queries):
    from reviews.dashboard import sections

    make_complaint(quality_manager, owner=staff)
    with django_assert_max_num_queries(10) as q:
        sections(staff)
    for i in range(8):
        make_complaint(quality_manager, owner=staff, customer=f"C{i}")
    with django_assert_max_num_queries(len(q.captured_queries)):
        sections(staff)


def test_readiness_evidence_for_9_1_2_and_9_3(quality_manager, staff, password):
    def ours():
        return {e.clause: e for e in evidence.collect(TODAY()) if e.label in (
            "Customer satisfaction surveys", "Management reviews with signed minutes")}

    assert ours() == {}
    make_survey(quality_manager)
    review = make_review(quality_manager, meeting_in_days=0)
    found = ours()
    assert found["9.1.2"].current and found["9.1.2"].count == 1
    # Held but not signed: no evidence yet (an entry counting nothing is left out, qms.evidence.collect),
    # so 9.3 stays a gap on the readiness map.
    assert "9.3" not in found
    services.review_update(actor=quality_manager, review=review, conclusions="Effective")
    services.minutes_approve(actor=quality_manager, review=review, password=password)
    assert ours()["9.3"].current
    stale = {e.clause: e for e in evidence.collect(TODAY() + timedelta(days=400)) if e.clause in ("9.1.2", "9.3")
             and e.label != "Customer feedback log"}
    # Over a year later nothing counts for the last 12 months: both clauses fall back to gaps.
    assert "9.3" not in stale or not stale["9.3"].current
    assert "9.1.2" not in stale or not stale["9.1.2"].current


def test_measures_are_offered_as_kpi_sources(quality_manager, staff):
    codes = dict(measures.choices())
    assert {"reviews.customer_satisfaction", "reviews.complaints_received",
            "reviews.complaints_answered_on_time"} <= set(codes)
    c = make_complaint(quality_manager, owner=staff, days_ago=5)
    services.complaint_respond(actor=staff, complaint=c, on=TODAY(), response="Ok")
    m = measures.get("reviews.complaints_answered_on_time")
    assert m.value(TODAY() - timedelta(30), TODAY()) == 100


def test_menu_entries_under_management_system(quality_manager, outsider):
    menu = {m.title: m for m in nav.menus_for(quality_manager)}["Management system"]
    labels = [e.label for e in menu.entries]
    assert {"Customer feedback", "Customer satisfaction", "Management review"} <= set(labels)
    assert nav.menus_for(outsider) == [] or all(
        e.url_name.split(":")[0] != "reviews" for m in nav.menus_for(outsider) for e in m.entries)


def test_the_trail_reads_in_words(client_for, quality_manager, staff):
    c = make_complaint(quality_manager, owner=staff)
    services.complaint_acknowledge(actor=staff, complaint=c, on=TODAY())
    body = client_for(quality_manager).get(c.get_absolute_url()).content.decode()
    assert "Customer feedback logged" in body and "Receipt acknowledged to the customer" in body
