"""Dashboard and digest sections: upcoming audits for auditor and auditee, my
overdue CAPA actions, effectiveness checks due, CAPA ageing for the QM; a
fixed number of queries each."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits import dashboard as audits_dashboard
from audits import services
from tests.audits.factories import make_audit

pytestmark = pytest.mark.django_db


def _keys(user):
    return {s.key: s for s in audits_dashboard.sections(user)}


def test_upcoming_audits_for_auditor_and_auditee(quality_manager, auditor, staff, author, production):
    audit = make_audit(quality_manager, auditor, production, auditees=[staff])
    for user in (auditor, staff):
        section = _keys(user)["audits.upcoming"]
        assert [i.label for i in section.items] == [f"{audit.number} {audit.title}"]
    assert _keys(author)["audits.upcoming"].items == []


def test_overdue_actions_and_effectiveness_checks_and_ageing(quality_manager, staff, author):
    from freezegun import freeze_time

    today = timezone.localdate()
    with freeze_time(timezone.now() - timedelta(days=5)):  # planned then; a past due date is refused
        capa = services.capa_raise(actor=staff, source="process", title="NC", description="d", severity="minor",
                                   owner=staff)
        services.capa_analyse(actor=staff, capa=capa, ca_needed=True, justification="j", whys=["w"], root_cause="r")
        action = services.capa_action_add(actor=staff, capa=capa, description="Fix", owner=author,
                                          due_date=today - timedelta(days=1))
    item = _keys(author)["capa.my_actions"].items[0]
    assert item.overdue and "Fix" in item.label
    with freeze_time(timezone.now() - timedelta(days=5)):
        services.capa_start_actions(actor=staff, capa=capa)
        services.capa_action_complete(actor=author, action=action, note="done")
        services.capa_submit_verification(actor=staff, capa=capa, method="m", due=today - timedelta(days=2))
    qm = _keys(quality_manager)
    assert qm["capa.effectiveness_due"].items[0].overdue
    assert qm["capa.ageing"].total == 1
    assert [i.label for i in qm["capa.ageing"].items] == ["Open under 30 days"]  # empty buckets are left out
    assert "capa.ageing" not in _keys(staff)


def test_sections_run_a_fixed_number_of_queries(quality_manager, auditor, staff, production,
                                               django_assert_max_num_queries):
    for _ in range(2):
        make_audit(quality_manager, auditor, production, auditees=[staff])
    quality_manager._qms_roles = None
    with django_assert_max_num_queries(10) as ctx:
        audits_dashboard.sections(quality_manager)
    n = len(ctx.captured_queries)
    for _ in range(10):
        make_audit(quality_manager, auditor, production, auditees=[quality_manager])
    with django_assert_max_num_queries(n):
        audits_dashboard.sections(quality_manager)
