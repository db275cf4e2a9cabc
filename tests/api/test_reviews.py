"""Customer feedback and management reviews through the API, under reviews.rules and its services."""

import pytest
from django.utils import timezone

from reviews.models import ManagementReview
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
