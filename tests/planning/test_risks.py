"""The risk and opportunity register (ISO 9001 6.1): scores on the configured
scale, bands, treatment actions, re-assessment and trend, the heat map, CAPAs
raised from a risk, and the audit programme's weights."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import selectors as audit_selectors
from audits import services as audit_services
from planning import services
from planning.models import Risk, RiskAction, RiskScale
from qms import weights
from qms.errors import DomainError, PermissionRefused
from qms.models import AuditEvent
from tests.planning.factories import make_process, make_risk, soon

pytestmark = pytest.mark.django_db


def test_a_risk_scores_likelihood_times_impact_and_falls_in_its_band(quality_manager):
    risk = make_risk(quality_manager, likelihood=4, impact=5)
    assert risk.score == 20 and risk.number == f"RSK-{risk.pk:04d}"
    assert RiskScale.current().band_for(risk.score).name == "High"
    assert risk.assessments.count() == 1
    assert AuditEvent.objects.filter(verb="risk.created", object_id=str(risk.pk)).exists()
    assert risk.clauses.filter(number="6.1").exists()


@pytest.mark.parametrize("lik,imp", [(0, 3), (6, 3), (3, 6), (3, 0)])
def test_scores_outside_the_scale_are_refused_and_nothing_is_saved(quality_manager, lik, imp):
    with pytest.raises(services.Invalid) as exc:
        make_risk(quality_manager, likelihood=lik, impact=imp)
    assert "scale" in exc.value.message
    assert not Risk.objects.exists()


def test_scores_outside_the_scale_are_a_form_error_not_a_500(client_for, quality_manager):
    c = client_for(quality_manager)
    r = c.post(reverse("planning:risk-create"), {
        "kind": "risk", "title": "X", "cause": "c", "effect": "e", "owner": quality_manager.pk, "treatment": "reduce",
        "likelihood": 9, "impact": 2, "reassess_on": soon().isoformat()})
    assert r.status_code == 200 and "At most 5" in r.content.decode()
    assert not Risk.objects.exists()


def test_a_configured_scale_changes_the_limits_and_bands(quality_manager):
    services.scale_save(actor=quality_manager, likelihood_levels=4, impact_levels=4,
                        bands=[{"name": "Low", "max": 6, "colour": "success"}, {"name": "High", "max": 0, "colour": "danger"}])
    scale = RiskScale.current()
    assert scale.max_score == 16 and [b.name for b in scale.band_list()] == ["Low", "High"]
    with pytest.raises(services.Invalid):
        make_risk(quality_manager, likelihood=5, impact=1)
    risk = make_risk(quality_manager, likelihood=4, impact=2)
    assert scale.band_for(risk.score).name == "High"


def test_the_scale_cannot_shrink_below_the_register(quality_manager):
    make_risk(quality_manager, likelihood=5, impact=5)
    with pytest.raises(services.Invalid, match="likelihood 5"):
        services.scale_save(actor=quality_manager, likelihood_levels=4, impact_levels=5,
                            bands=[{"name": "All", "max": 20, "colour": "danger"}])


def test_bands_must_climb(quality_manager):
    with pytest.raises(services.Invalid, match="must end above"):
        services.scale_save(actor=quality_manager, likelihood_levels=5, impact_levels=5,
                            bands=[{"name": "A", "max": 10, "colour": "success"}, {"name": "B", "max": 5, "colour": "info"},
                                   {"name": "C", "max": 25, "colour": "danger"}])


def test_a_residual_score_above_the_current_one_is_refused(quality_manager):
    with pytest.raises(services.Invalid, match="cannot exceed"):
        make_risk(quality_manager, likelihood=2, impact=2, residual=(3, 3))


def test_an_opportunity_is_exploited_not_transferred(quality_manager):
    with pytest.raises(services.Invalid, match="opportunity"):
        make_risk(quality_manager, kind="opportunity", treatment="transfer")
    opp = make_risk(quality_manager, kind="opportunity", treatment="exploit")
    assert opp.number.startswith("OPP-")


def test_treatment_action_due_before_its_start_is_refused(quality_manager, staff):
    risk = make_risk(quality_manager)
    today = timezone.localdate()
    with pytest.raises(services.Invalid, match="before the start"):
        services.risk_action_add(actor=quality_manager, risk=risk, description="Second source", owner=staff,
                                 start_date=today, due_date=today - timedelta(days=1))
    assert not RiskAction.objects.exists()


def test_due_before_start_is_a_form_error(client_for, quality_manager, staff):
    risk = make_risk(quality_manager)
    today = timezone.localdate()
    r = client_for(quality_manager).post(reverse("planning:risk-action-add", args=[risk.pk]), {
        "action-description": "x", "action-owner": staff.pk, "action-start_date": today.isoformat(),
        "action-due_date": (today - timedelta(days=3)).isoformat()})
    assert r.status_code == 200 and "before the start date" in r.content.decode()
    assert not RiskAction.objects.exists()


def test_actions_move_the_risk_to_treating_and_closing_waits_for_them(quality_manager, staff):
    risk = make_risk(quality_manager)
    today = timezone.localdate()
    action = services.risk_action_add(actor=quality_manager, risk=risk, description="Second source", owner=staff,
                                      start_date=today, due_date=today + timedelta(days=10))
    risk.refresh_from_db()
    assert risk.status == Risk.Status.TREATING
    with pytest.raises(DomainError, match="open treatment actions"):
        services.risk_close(actor=quality_manager, risk=risk, reason="Done")
    with pytest.raises(PermissionRefused):
        services.risk_close(actor=staff, risk=risk, reason="Done")
    services.risk_action_complete(actor=staff, action=action, outcome="Second supplier approved")
    services.risk_close(actor=quality_manager, risk=risk, reason="Treated")
    risk.refresh_from_db()
    assert risk.status == Risk.Status.CLOSED
    with pytest.raises(PermissionRefused):
        services.risk_assess(actor=quality_manager, risk=risk, assessment=services.Assessment(1, 1, soon(), note="x"))


def test_reassessment_adds_a_point_to_the_trend(client_for, quality_manager):
    risk = make_risk(quality_manager, likelihood=4, impact=4)
    services.risk_assess(actor=quality_manager, risk=risk,
                         assessment=services.Assessment(2, 4, soon(90), residual_likelihood=1, residual_impact=4,
                                                        note="Second source in place"))
    assert list(risk.assessments.values_list("score", flat=True)) == [16, 8]
    r = client_for(quality_manager).get(risk.get_absolute_url())
    assert r.status_code == 200
    chart = r.context["trend"]
    assert [row[1] for row in chart.rows] == [16, 8]


def test_a_past_reassessment_date_is_refused(quality_manager):
    with pytest.raises(services.Invalid, match="past"):
        make_risk(quality_manager, reassess_on=timezone.localdate() - timedelta(days=1))


def test_staff_cannot_create_or_edit_others_risks(client_for, quality_manager, staff):
    risk = make_risk(quality_manager)
    c = client_for(staff)
    assert c.get(reverse("planning:risks")).status_code == 200
    assert c.get(risk.get_absolute_url()).status_code == 200
    assert c.get(reverse("planning:risk-create")).status_code == 403
    assert c.post(reverse("planning:risk-edit", args=[risk.pk]), {}).status_code == 403
    assert c.get(reverse("planning:scale")).status_code == 403


def test_the_owner_reassesses_their_own_risk(quality_manager, staff):
    risk = make_risk(quality_manager, owner=staff)
    services.risk_assess(actor=staff, risk=risk, assessment=services.Assessment(1, 2, soon(), note="Better"))
    assert risk.score == 2


def test_anonymous_goes_to_login(client):
    r = client.get(reverse("planning:risks"))
    assert r.status_code == 302 and "login" in r["Location"]


def test_the_heat_map_counts_each_cell_and_links_to_its_list(client_for, quality_manager):
    for _ in range(3):
        make_risk(quality_manager, likelihood=4, impact=5)
    make_risk(quality_manager, likelihood=1, impact=1)
    closed = make_risk(quality_manager, likelihood=4, impact=5)
    services.risk_close(actor=quality_manager, risk=closed, reason="Gone")
    c = client_for(quality_manager)
    r = c.get(reverse("planning:heatmap"))
    hm = r.context["hm"]
    cell = next(cell for row in hm.rows for cell in row if (cell.likelihood, cell.impact) == (4, 5))
    assert cell.count == 3 and hm.total == 4
    assert cell.band.name == "High"
    listed = c.get(cell.url)
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == 3


def test_the_register_filters_by_band(client_for, quality_manager):
    make_risk(quality_manager, likelihood=1, impact=2)
    make_risk(quality_manager, likelihood=5, impact=5)
    r = client_for(quality_manager).get(reverse("planning:risks"), {"band": "Low"})
    assert r.context["page"].paginator.count == 1


@pytest.mark.parametrize("url", ["planning:risks", "planning:heatmap"])
def test_list_queries_do_not_grow_with_rows(client_for, quality_manager, staff, django_assert_max_num_queries, url):
    c = client_for(quality_manager)
    process = make_process(code="PRD", name="Production", dept_code="PRD")
    today = timezone.localdate()
    for i in range(2):
        risk = make_risk(quality_manager, process=process, likelihood=1 + i, impact=3)
        services.risk_action_add(actor=quality_manager, risk=risk, description="a", owner=staff,
                                 start_date=today, due_date=today)
    c.get(reverse(url))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        c.get(reverse(url))
    for i in range(20):
        risk = make_risk(quality_manager, process=process, likelihood=1 + i % 5, impact=1 + i % 4, owner=staff)
        services.risk_action_add(actor=quality_manager, risk=risk, description="a", owner=staff,
                                 start_date=today, due_date=today)
    with django_assert_max_num_queries(len(small)):
        c.get(reverse(url))


def test_a_risk_raises_a_capa_that_points_back(client_for, quality_manager, staff):
    risk = make_risk(quality_manager, owner=staff)
    c = client_for(quality_manager)
    r = c.post(reverse("planning:risk-capa", args=[risk.pk]),
               {"title": "Supplier failed", "description": "The risk happened", "severity": "minor"})
    assert r.status_code == 302
    [capa] = audit_selectors.capas_raised_from(quality_manager, risk)
    assert capa.source == "risk" and capa.origin == risk
    page = c.get(risk.get_absolute_url())
    assert capa.number in page.content.decode()
    assert AuditEvent.objects.filter(verb="risk.capa_raised", object_id=str(risk.pk)).exists()


def test_an_opportunity_raises_no_capa(client_for, quality_manager):
    opp = make_risk(quality_manager, kind="opportunity", treatment="exploit")
    assert client_for(quality_manager).get(reverse("planning:risk-capa", args=[opp.pk])).status_code == 403


def test_the_audit_programme_weighs_a_process_by_its_risk_score(quality_manager):
    today = timezone.localdate()
    prog = audit_services.programme_create(actor=quality_manager, title="P", objectives="All",
                                           period_start=today.replace(month=1, day=1),
                                           period_end=today.replace(month=12, day=31))
    risky = make_process(code="PRD", name="Production", dept_code="PRD")
    calm = make_process(code="SAL", name="Sales", dept_code="SAL")
    audit_services.programme_item_add(actor=quality_manager, programme=prog, process=calm)
    audit_services.programme_item_add(actor=quality_manager, programme=prog, process=risky)
    before = {p.item.process.code: p.weight for p in audit_selectors.proposals(prog, today=today)}
    assert before["PRD"] == before["SAL"]
    make_risk(quality_manager, process=risky, likelihood=5, impact=5)
    props = audit_selectors.proposals(prog, today=today)
    assert props[0].item.process == risky and props[0].weight > before["PRD"]
    assert "risk score 25" in props[0].reason


def test_without_a_weights_provider_the_programme_keeps_its_own_weighting(quality_manager, monkeypatch):
    monkeypatch.setattr(weights, "_PROVIDERS", [])
    assert weights.for_subjects({"process": [1]}) == {}
