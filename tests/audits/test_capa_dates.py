"""CAPA dates that make sense (issue 12) and actions against the CAPA's state
(issue 10): no action due in the past, no correction dated before the NC, the
effectiveness check waits for its window or states why it is early (kept in
the trail), no action added once the check is done."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits import services
from audits.models import Capa, CapaAction
from qms.errors import DomainError
from qms.models import AuditEvent

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def capa(quality_manager, staff):
    c = services.capa_raise(actor=quality_manager, source="process", title="Gauge overdue", description="d",
                            severity="minor", owner=staff)
    services.capa_analyse(actor=staff, capa=c, ca_needed=True, justification="Risk", whys=["no reminder"],
                          root_cause="No reminder")
    return c


def _verifying(capa, staff, author, due):
    action = services.capa_action_add(actor=staff, capa=capa, description="Add reminder", owner=author,
                                      due_date=TODAY + timedelta(days=7))
    services.capa_start_actions(actor=staff, capa=capa)
    services.capa_action_complete(actor=author, action=action, note="Reminder set")
    services.capa_submit_verification(actor=staff, capa=capa, method="Check next 3 months", due=due)
    capa.refresh_from_db()
    return capa


@pytest.mark.parametrize("due", [TODAY - timedelta(days=1), timezone.datetime(2020, 1, 1).date(),
                                 timezone.datetime(9999, 12, 31).date()])
def test_an_action_due_in_the_past_or_absurdly_late_is_refused(capa, staff, due):
    with pytest.raises(DomainError, match="due date"):
        services.capa_action_add(actor=staff, capa=capa, description="x", owner=staff, due_date=due)
    assert not CapaAction.objects.exists()


def test_the_action_form_refuses_a_past_due_date_with_a_message(client_for, capa, staff):
    response = client_for(staff).post(f"/capa/{capa.pk}/actions/", {
        "description": "x", "owner": staff.pk, "due_date": "2020-01-01"}, follow=True)
    assert response.status_code in (200, 400) and "past" in response.content.decode()
    assert not CapaAction.objects.exists()


def test_a_correction_dated_before_the_nc_was_raised_is_refused(capa, staff):
    with pytest.raises(DomainError, match="before the nonconformity"):
        services.capa_record_correction(actor=staff, capa=capa, containment="Quarantined",
                                        containment_date=TODAY - timedelta(days=30), correction="", correction_date=None)
    capa.refresh_from_db()
    assert capa.containment == ""


def test_the_effectiveness_check_waits_for_its_window(capa, staff, author, quality_manager):
    _verifying(capa, staff, author, due=TODAY + timedelta(days=60))
    with pytest.raises(DomainError, match="planned for"):
        services.capa_verify(actor=quality_manager, capa=capa, result="effective", notes="fine")
    assert Capa.objects.get(pk=capa.pk).status == Capa.Status.VERIFYING


def test_an_early_check_with_a_reason_is_recorded_and_the_trail_shows_it(capa, staff, author, quality_manager):
    _verifying(capa, staff, author, due=TODAY + timedelta(days=60))
    services.capa_verify(actor=quality_manager, capa=capa, result="effective", notes="fine",
                         early_reason="Certification audit next week")
    capa.refresh_from_db()
    assert capa.status == Capa.Status.EFFECTIVE
    assert "Certification audit next week" in capa.effectiveness_notes
    event = AuditEvent.objects.filter(verb="capa.verified_effective").get()
    assert "Certification audit next week" in event.comment


def test_a_check_planned_in_the_past_is_refused(capa, staff, author):
    with pytest.raises(DomainError, match="past"):
        _verifying(capa, staff, author, due=TODAY - timedelta(days=1))


def test_no_action_is_added_to_an_effective_capa(client_for, capa, staff, author, quality_manager):
    _verifying(capa, staff, author, due=TODAY)
    services.capa_verify(actor=quality_manager, capa=capa, result="effective", notes="fine")
    before = CapaAction.objects.count()
    with pytest.raises(DomainError, match="before the effectiveness check"):
        services.capa_action_add(actor=staff, capa=capa, description="late", owner=staff,
                                 due_date=TODAY + timedelta(days=3))
    response = client_for(staff).post(f"/capa/{capa.pk}/actions/", {
        "description": "late", "owner": staff.pk, "due_date": (TODAY + timedelta(days=3)).isoformat()})
    assert response.status_code < 500
    assert CapaAction.objects.count() == before
    assert Capa.objects.get(pk=capa.pk).status == Capa.Status.EFFECTIVE
