"""Customer feedback and management reviews through the API, under reviews.rules and its services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import Decision, ManagementReview, SatisfactionSurvey
from tests.factories import PASSWORD
from tests.reviews.factories import make_complaint, make_review

pytestmark = pytest.mark.django_db


def test_feedback_is_logged_answered_and_closed(api_for, quality_manager, staff, author):
    s = api_for(staff)
    today = timezone.localdate().isoformat()
    r = s.post("/api/v1/complaints/", {"customer": "Volta Motors", "channel": "email", "received_on": today,
                                       "description": "Cracked housing", "category": "product", "owner": staff.pk},
               format="json")
    assert r.status_code == 201, r.json()
    url = f"/api/v1/complaints/{r.json()['number']}/"
    r = api_for(author).post(url + "respond/", {"responded_on": today, "response": "x"}, format="json")
    assert r.status_code == 403 and r.json()["detail"]
    assert s.post(url + "respond/", {"responded_on": "2000-01-01", "response": "x"}, format="json").status_code == 400
    r = s.post(url + "respond/", {"responded_on": today, "response": "Replacement sent"}, format="json")
    assert r.status_code == 200 and r.json()["responded_on"] == today
    r = s.post(url + "close/", {"resolution": "Replaced"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = s.post(url + "close/", {"resolution": "Again"}, format="json")
    assert r.status_code in (403, 409) and r.json()["detail"]
    assert s.get("/api/v1/complaints/NOPE-1/").status_code == 404


def test_a_management_review_gets_decisions_and_signed_minutes(api_for, quality_manager, approver, staff):
    review = make_review(quality_manager, chair=approver, attendees=[staff], meeting_in_days=0)
    a = api_for(approver)
    url = f"/api/v1/management-reviews/{review.pk}/"
    r = a.post(url + "conclusions/", {"conclusions": "The QMS is suitable and effective."}, format="json")
    assert r.status_code == 200, r.json()
    r = a.post(url + "decisions/", {"kind": "improvement", "text": "Shorter set-up", "action_description": "Trial",
                                    "action_owner": staff.pk}, format="json")
    assert r.status_code == 400 and "action_due_date" in r.json()["errors"]
    due = (timezone.localdate() + timezone.timedelta(days=30)).isoformat()
    r = a.post(url + "decisions/", {"kind": "improvement", "text": "Shorter set-up", "action_description": "Trial",
                                    "action_owner": staff.pk, "action_due_date": due}, format="json")
    assert r.status_code == 201
    decision = r.json()["decisions"][0]["id"]
    r = api_for(staff).post(url + "sign/", {"password": PASSWORD, "content_hash": r.json()["content_hash"]},
                            format="json")
    assert r.status_code == 403  # only the chair signs
    shown = a.get(url).json()["content_hash"]
    r = a.post(url + "sign/", {"password": PASSWORD, "content_hash": shown}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == ManagementReview.Status.APPROVED and r.json()["signatures"]
    r = a.post(url + "conclusions/", {"conclusions": "Changed after signing"}, format="json")
    assert r.status_code in (403, 409)
    r = api_for(staff).post(f"/api/v1/decisions/{decision}/complete/", {"note": "Fixture in use"}, format="json")
    assert r.status_code == 200 and r.json()["action_status"] == "done"
    assert api_for(quality_manager).get("/api/v1/management-reviews/999999/").status_code == 404
    make_complaint(quality_manager)


def _trail_fields(client, url) -> set[str]:
    r = client.get(url + "trail/")
    assert r.status_code == 200, r.json()
    return {c["field"].lower() for e in r.json()["entries"] for c in e["changes"]}


def test_feedback_is_corrected_by_its_owner_while_open(api_for, quality_manager, staff, author):
    complaint = make_complaint(staff)
    s = api_for(staff)
    url = f"/api/v1/complaints/{complaint.number}/"
    r = s.post(url + "edit/", {"customer": "Volta Motors GmbH", "severity": "critical"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["customer"] == "Volta Motors GmbH" and r.json()["severity"] == "critical"
    assert r.json()["reference"] == "PO-4711"  # a field left out keeps its value
    assert "customer" in _trail_fields(api_for(quality_manager), url)
    r = s.post(url + "edit/", {"received_on": "2999-01-01", "channel": "pigeon"}, format="json")
    assert r.status_code == 400 and {"received_on", "channel"} <= set(r.json()["errors"])
    r = api_for(author).post(url + "edit/", {"customer": "Someone else"}, format="json")
    assert r.status_code == 403
    assert r.json()["detail"] == "Only the owner or the quality manager handles this feedback, and not once it is closed."
    assert s.get(url).json()["customer"] == "Volta Motors GmbH"


def test_survey_results_are_entered_and_corrected_by_the_quality_manager(api_for, quality_manager, staff):
    q = api_for(quality_manager)
    end = timezone.localdate().replace(day=1) - timedelta(days=1)
    body = {"title": "Spring survey", "period_start": (end - timedelta(days=90)).isoformat(),
            "period_end": end.isoformat(), "score": "8.1", "scale_max": 10, "respondents": 25}
    r = api_for(staff).post("/api/v1/surveys/", body, format="json")
    assert r.status_code == 403 and r.json()["detail"] == "Only the quality manager enters survey results."
    r = q.post("/api/v1/surveys/", body, format="json")
    assert r.status_code == 201, r.json()
    survey = r.json()
    assert survey["id"] in [x["id"] for x in q.get("/api/v1/surveys/").json()["results"]]
    url = f"/api/v1/surveys/{survey['id']}/"
    r = q.post(url + "edit/", {"respondents": 26, "comments": "One late reply"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["respondents"] == 26 and r.json()["title"] == "Spring survey"
    assert SatisfactionSurvey.objects.get(pk=survey["id"]).history.count() == 2
    r = q.post(url + "edit/", {"period_end": "2999-01-01", "respondents": 0}, format="json")
    assert r.status_code == 400 and {"period_end", "respondents"} <= set(r.json()["errors"])
    assert SatisfactionSurvey.objects.get(pk=survey["id"]).respondents == 26


MINUTES = "Only the chair or the quality manager writes the minutes, and not once they are approved."


def test_a_management_review_is_planned_and_its_details_and_decisions_changed(api_for, quality_manager, approver,
                                                                               staff):
    q = api_for(quality_manager)
    today = timezone.localdate()
    r = q.post("/api/v1/management-reviews/", {"meeting_date": (today + timedelta(days=14)).isoformat(),
                                               "period_start": (today - timedelta(days=365)).isoformat(),
                                               "period_end": today.isoformat(), "attendees": [staff.pk]},
               format="json")
    assert r.status_code == 201, r.json()
    review = r.json()
    assert review["title"] == "Management review"  # the page's default
    assert review["id"] in [x["id"] for x in q.get("/api/v1/management-reviews/").json()["results"]]
    url = f"/api/v1/management-reviews/{review['id']}/"
    r = q.post(url + "edit/", {"title": "Management review 2026", "chair": approver.pk}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["title"] == "Management review 2026"
    stored = ManagementReview.objects.get(pk=review["id"])
    assert stored.chair == approver and list(stored.attendees.all()) == [staff]  # attendees kept
    assert "title" in _trail_fields(q, url)
    r = q.post(url + "edit/", {"period_end": (today - timedelta(days=400)).isoformat(), "chair": 999999},
               format="json")
    assert r.status_code == 400 and "chair" in r.json()["errors"]
    r = api_for(staff).post(url + "edit/", {"title": "Mine"}, format="json")  # an attendee reads, not writes
    assert r.status_code == 403 and r.json()["detail"] == MINUTES
    r = api_for(staff).post("/api/v1/management-reviews/", {"meeting_date": today.isoformat()}, format="json")
    assert r.status_code == 403 and r.json()["detail"] == "Only the quality manager plans management reviews."

    a = api_for(approver)
    r = a.post(url + "decisions/", {"kind": "improvement", "text": "Shorter set-up"}, format="json")
    decision = r.json()["decisions"][0]["id"]
    r = a.post(f"/api/v1/decisions/{decision}/edit/", {"text": "Shorter set-up on line 2",
                                                       "action_description": "Trial SMED", "action_owner": staff.pk,
                                                       "action_due_date": (today + timedelta(days=30)).isoformat()},
               format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["text"] == "Shorter set-up on line 2" and r.json()["kind"] == "improvement"
    assert Decision.objects.get(pk=decision).history.count() >= 2
    r = a.post(f"/api/v1/decisions/{decision}/edit/", {"kind": "nonsense"}, format="json")
    assert r.status_code == 400 and "kind" in r.json()["errors"]
    r = api_for(staff).post(f"/api/v1/decisions/{decision}/edit/", {"text": "x"}, format="json")
    assert r.status_code == 403 and r.json()["detail"] == MINUTES
    assert Decision.objects.get(pk=decision).text == "Shorter set-up on line 2"


def test_the_feedback_log_exports_as_csv_and_xlsx_with_the_lists_filter(api_for, quality_manager, staff):
    make_complaint(quality_manager, customer="Volta Motors")
    make_complaint(quality_manager, customer="Kind Words Ltd", kind="compliment")
    q = api_for(quality_manager)
    r = q.get("/api/v1/complaints/export/")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    text = r.content.decode()
    assert "Volta Motors" in text and "Kind Words Ltd" in text
    only = q.get("/api/v1/complaints/export/?kind=compliment").content.decode()
    assert "Kind Words Ltd" in only and "Volta Motors" not in only
    xlsx = q.get("/api/v1/complaints/export/?file_format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert q.get("/api/v1/complaints/export/?file_format=pdf").json()["errors"]["file_format"]


def test_the_pack_and_the_review_actions(api_for, quality_manager, approver, staff, author):
    from reviews import services

    review = make_review(quality_manager, chair=approver, attendees=[staff])
    services.decision_add(actor=quality_manager, review=review, kind="improvement", text="Faster answers",
                          action_description="Set a 2-day target", action_owner=staff,
                          action_due_date=timezone.localdate() + timedelta(days=30))
    services.decision_add(actor=quality_manager, review=review, kind="resources", text="A second gauge",
                          action_description="Buy it", action_owner=approver,
                          action_due_date=timezone.localdate() + timedelta(days=60))
    r = api_for(staff).get(f"/api/v1/management-reviews/{review.pk}/pack/")
    assert r.status_code == 200, r.json()
    pack = r.json()
    assert pack["number"] == review.number and pack["sections"]
    assert {"key", "ref", "title", "contributions"} <= set(pack["sections"][0])
    assert "svg" not in r.content.decode()  # charts come as tables
    assert api_for(author).get(f"/api/v1/management-reviews/{review.pk}/pack/").status_code == 404
    mine = api_for(staff).get("/api/v1/decisions/").json()["results"]
    assert [d["action_description"] for d in mine] == ["Set a 2-day target"]  # one's own, as the page
    assert mine[0]["review_number"] == review.number
    every = api_for(quality_manager).get("/api/v1/decisions/").json()["results"]
    assert {d["action_description"] for d in every} == {"Set a 2-day target", "Buy it"}
