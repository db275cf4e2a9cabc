"""This app's objects in the scope walk's world (tests/auditor/scope_world.py).

Feedback, surveys and reviews link to clauses 9.1.2 and 9.3, outside the walk's
8.5 grant: both sides are hidden from the external auditor; the out side
carries the secret word so a leak through a list, export or pack would show."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from reviews import services


def build(w, *, quality_manager, author, approver, staff, auditor, external_auditor):
    from tests.auditor.scope_world import SECRET

    today = timezone.localdate()
    for side, word in (("in", "Press"), ("out", SECRET)):
        s = w[side]
        s["complaint"] = services.complaint_log(
            actor=quality_manager, customer=f"{word} Customer", channel="email", received_on=today - timedelta(3),
            description=f"{word} complaint text", category="product", severity="medium", owner=staff)
        s["survey"] = services.survey_enter(
            actor=quality_manager, title=f"{word} survey", period_start=today - timedelta(60),
            period_end=today - timedelta(1), score=80, scale_max=100, respondents=12, comments=f"{word} comments")
        s["review"] = services.review_plan(
            actor=quality_manager, title=f"{word} review", meeting_date=today + timedelta(5), chair=quality_manager,
            period_start=today - timedelta(365), period_end=today, attendees=[staff])
        s["decision"] = services.decision_add(
            actor=quality_manager, review=s["review"], kind="improvement", text=f"{word} decision",
            action_description=f"{word} action", action_owner=staff, action_due_date=today + timedelta(30))


    # For the form fuzz: a complaint that has been answered, whose page offers the close form.
    answered = services.complaint_log(
        actor=quality_manager, customer="Press answered", channel="phone", received_on=today - timedelta(5),
        description="Press answered text", category="delivery", severity="low", owner=staff)
    w["reviews_answered"] = services.complaint_respond(actor=staff, complaint=answered, on=today, response="Sent")


def fuzz_pages(w):
    return [w["reviews_answered"].get_absolute_url()]


def path_kwargs(name, side, w):
    if not name.startswith("reviews:"):
        return None
    s = w[side]
    if name.startswith("reviews:complaint-"):
        return {"number": s["complaint"].number}, False
    if name.startswith("reviews:survey-"):
        return {"pk": s["survey"].pk}, False
    if name.startswith("reviews:review-") or name == "reviews:decision-add":
        return {"pk": s["review"].pk}, False
    if name in ("reviews:decision-edit", "reviews:action-complete"):
        return {"pk": s["decision"].pk}, False
    return None


def markers(w):
    out = w["out"]
    return [out["complaint"].number, out["review"].number]


def trail_targets(w, side):
    s = w[side]
    return [s["complaint"], s["survey"], s["review"], s["decision"]]
