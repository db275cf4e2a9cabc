"""The planning app in the core's hooks: register exports and as-of rows,
readiness evidence, management review inputs, menu entries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from planning import services
from qms import evidence, nav, registers, review_inputs
from tests.planning.factories import issue_data, last_month, make_kpi, make_risk, party_data

pytestmark = pytest.mark.django_db

KEYS = ("planning.context_issues", "planning.interested_parties", "planning.risks", "planning.objectives")


def _world(qm):
    services.issue_save(actor=qm, data=issue_data(qm))
    services.party_save(actor=qm, data=party_data(qm))
    make_risk(qm, likelihood=4, impact=5)
    kpi = make_kpi(qm)
    services.measurement_record(actor=qm, kpi=kpi, day=last_month(), value=Decimal("93"))
    return kpi


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_register_exports(client_for, quality_manager, key, fmt):
    _world(quality_manager)
    reg = registers.get(key)
    r = client_for(quality_manager).get(reverse("register-export", args=[reg.slug]), {"format": fmt})
    assert r.status_code == 200 and fmt in r["Content-Disposition"]
    rows = list(reg.rows(quality_manager, None))
    assert rows and all(len(row) == len(reg.columns) for row in rows)


@pytest.mark.parametrize("key", KEYS)
def test_registers_as_they_stood(quality_manager, key):
    _world(quality_manager)
    reg = registers.get(key)
    yesterday = timezone.localdate() - timedelta(days=1)
    assert list(reg.rows(quality_manager, yesterday)) == []
    assert len(list(reg.rows(quality_manager, timezone.localdate()))) == len(list(reg.rows(quality_manager, None)))


def test_the_risk_register_as_it_stood_keeps_the_old_score(quality_manager):
    risk = make_risk(quality_manager, likelihood=4, impact=5)
    reg = registers.get("planning.risks")
    services.risk_assess(actor=quality_manager, risk=risk, assessment=services.Assessment(1, 2, timezone.localdate(),
                                                                                          note="Treated"))
    [row] = reg.rows(quality_manager, None)
    assert row[9] == 2


def test_readiness_evidence_covers_the_four_clauses(quality_manager):
    _world(quality_manager)
    found = {e.clause: e for e in evidence.collect(timezone.localdate())}
    for clause in ("4.1", "4.2", "6.1", "6.2"):
        assert clause in found, clause
    assert found["6.1"].current and found["6.2"].current


def test_review_inputs_are_filled(quality_manager):
    _world(quality_manager)
    today = timezone.localdate()
    period = review_inputs.Period(today - timedelta(days=365), today)
    sections = {s.input.key: s for s in review_inputs.compile_inputs(period)}
    for key in ("context_changes", "objectives", "risk_actions"):
        assert not sections[key].empty, key
    objectives = sections["objectives"].contributions[0]
    assert objectives.charts and objectives.tables[0].rows[0][3].startswith("93")


def test_review_inputs_run_a_fixed_number_of_queries(quality_manager, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from planning import hooks

    _world(quality_manager)
    today = timezone.localdate()
    period = review_inputs.Period(today - timedelta(days=365), today)
    counts = {}
    for f in (hooks.context_changes, hooks.objectives_achieved, hooks.risk_actions):
        with CaptureQueriesContext(connection) as q:
            f(period)
        counts[f] = len(q)
    _world(quality_manager)
    _world(quality_manager)
    for f, n in counts.items():
        with django_assert_max_num_queries(n):
            f(period)


def test_menu_entries_under_management_system(quality_manager, outsider):
    [menu] = [m for m in nav.menus_for(quality_manager) if m.title == "Management system"]
    labels = [e.label for e in menu.entries]
    assert {"Context of the organisation", "Risks and opportunities", "Quality objectives and KPIs"} <= set(labels)
    assert not any(m.title == "Management system" and any(e.url_name.startswith("planning:") for e in m.entries)
                   for m in nav.menus_for(outsider))


def test_outsider_is_refused_everywhere(client_for, quality_manager, outsider):
    kpi = _world(quality_manager)
    c = client_for(outsider)
    for url in (reverse("planning:risks"), reverse("planning:heatmap"), reverse("planning:context"),
                reverse("planning:objectives")):
        assert c.get(url).status_code == 403, url
    assert c.get(kpi.get_absolute_url()).status_code == 404


def test_the_search_box_finds_risks_context_and_objectives(quality_manager):
    from qms import search

    _world(quality_manager)
    groups = {g.kind.key: g.found for g in search.search(quality_manager, "supplier")}
    assert groups["risks"].total == 1
    groups = {g.kind.key: g.found for g in search.search(quality_manager, "competitor")}
    assert groups["context"].total == 1
    groups = {g.kind.key: g.found for g in search.search(quality_manager, "on time")}
    assert groups["objectives"].total == 1
