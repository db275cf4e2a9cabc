"""Context of the organisation (4.1, 4.2): issues and interested parties,
reviewed on a schedule, versioned, linked to the risks they raise."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from planning import services
from planning.models import ContextIssue, InterestedParty
from qms.errors import PermissionRefused
from qms.models import AuditEvent
from tests.planning.factories import issue_data, make_risk, party_data

pytestmark = pytest.mark.django_db


def test_an_issue_is_recorded_with_its_review_date_and_clause(quality_manager):
    issue = services.issue_save(actor=quality_manager, data=issue_data(quality_manager))
    assert issue.number == f"CTX-{issue.pk:03d}"
    assert issue.next_review_on > timezone.localdate()
    assert issue.clauses.filter(number="4.1").exists()
    assert AuditEvent.objects.filter(verb="context.issue_created").exists()


def test_a_review_stamps_without_editing_and_moves_the_next_date(quality_manager):
    issue = services.issue_save(actor=quality_manager, data=issue_data(quality_manager, review_months=6))
    with pytest.raises(services.Invalid):
        services.entry_review(actor=quality_manager, entry=issue, outcome="")
    services.entry_review(actor=quality_manager, entry=issue, outcome="Still relevant")
    assert issue.last_reviewed_on == timezone.localdate()
    assert AuditEvent.objects.filter(verb="context.reviewed", comment="Still relevant").exists()


def test_changes_are_versioned(quality_manager):
    party = services.party_save(actor=quality_manager, data=party_data(quality_manager))
    services.party_save(actor=quality_manager, party=party, data=party_data(quality_manager, requirements="OTD 98 %"))
    assert party.history.count() == 2
    assert party.history.first().requirements == "OTD 98 %"


def test_staff_read_but_do_not_write(client_for, quality_manager, staff):
    issue = services.issue_save(actor=quality_manager, data=issue_data(quality_manager))
    c = client_for(staff)
    assert c.get(reverse("planning:context")).status_code == 200
    assert c.get(issue.get_absolute_url()).status_code == 200
    assert c.get(reverse("planning:issue-create")).status_code == 403
    assert c.post(reverse("planning:issue-review", args=[issue.pk]), {"outcome": "x"}).status_code == 403
    with pytest.raises(PermissionRefused):
        services.issue_save(actor=staff, data=issue_data(staff))


def test_an_issue_links_to_the_risks_it_raises(client_for, quality_manager):
    issue = services.issue_save(actor=quality_manager, data=issue_data(quality_manager))
    risk = make_risk(quality_manager)
    services.risk_update(actor=quality_manager, risk=risk, data={}, issues=[issue])
    page = client_for(quality_manager).get(issue.get_absolute_url())
    assert risk.number in page.content.decode()


def test_retire_and_reactivate(quality_manager):
    party = services.party_save(actor=quality_manager, data=party_data(quality_manager))
    services.entry_retire(actor=quality_manager, entry=party, reason="No longer a customer")
    assert party.status == InterestedParty.Status.RETIRED
    services.entry_reactivate(actor=quality_manager, entry=party)
    assert party.status == InterestedParty.Status.ACTIVE


def test_bad_review_interval_is_a_form_error(client_for, quality_manager):
    data = issue_data(quality_manager.pk, review_months=0)
    r = client_for(quality_manager).post(reverse("planning:issue-create"), data)
    assert r.status_code == 200
    assert not ContextIssue.objects.exists()


def test_context_page_keeps_its_query_count(client_for, quality_manager, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(quality_manager)
    services.issue_save(actor=quality_manager, data=issue_data(quality_manager))
    services.party_save(actor=quality_manager, data=party_data(quality_manager))
    c.get(reverse("planning:context"))
    with CaptureQueriesContext(connection) as small:
        c.get(reverse("planning:context"))
    for _ in range(10):
        services.issue_save(actor=quality_manager, data=issue_data(quality_manager))
        services.party_save(actor=quality_manager, data=party_data(quality_manager))
    with django_assert_max_num_queries(len(small)):
        c.get(reverse("planning:context"))


def test_an_overdue_review_makes_the_clause_stale(quality_manager):
    from planning.hooks import planning_evidence

    issue = services.issue_save(actor=quality_manager, data=issue_data(quality_manager))
    today = timezone.localdate()
    [ev] = [e for e in planning_evidence(today) if e.clause == "4.1"]
    assert ev.current
    [ev] = [e for e in planning_evidence(issue.next_review_on + timedelta(days=1)) if e.clause == "4.1"]
    assert not ev.current and "review" in ev.reason
