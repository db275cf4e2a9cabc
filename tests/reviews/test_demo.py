"""The demo data of this app, seeded through the services under the moving clock (idempotent)."""

import io

import pytest
from django.utils import timezone

from qms import evidence
from qms.demo import remembered_passwords, seed_core
from reviews import demo, services
from reviews.models import Complaint, Decision, ManagementReview, SatisfactionSurvey

pytestmark = pytest.mark.django_db


def test_demo_feedback_surveys_and_reviews():
    users = seed_core()
    out = io.StringIO()
    with remembered_passwords():
        demo.seed(users=users, stdout=out)
    assert Complaint.objects.count() == 20
    assert sum(1 for c in Complaint.objects.all() if services.raised_capas(c).exists()) == 3
    assert Complaint.objects.filter(status="closed").count() >= 10
    assert SatisfactionSurvey.objects.count() >= 4
    past, upcoming = ManagementReview.objects.order_by("meeting_date")
    assert past.locked and (timezone.localdate() - past.meeting_date).days == 350
    assert Decision.objects.filter(review=past, action_status="open").count() == 2
    assert not upcoming.locked and upcoming.meeting_date > timezone.localdate()
    first = upcoming.pack[0]["contributions"][0]
    assert ["Still open", 2] in first["facts"]
    found = {e.clause: e for e in evidence.collect(timezone.localdate()) if e.clause in ("9.1.2", "9.3")}
    assert found["9.1.2"].current and found["9.3"].current
    assert "reviews: 20 customer feedback entries (3 with CAPA)" in out.getvalue()
    again = io.StringIO()
    demo.seed(users=users, stdout=again)
    assert again.getvalue() == "" and Complaint.objects.count() == 20
