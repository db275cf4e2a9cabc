"""Planning objects inside and outside the scope walk's 8.5 grant (see
tests/auditor/scope_world.py, WORLD_APPS): an "in" entry of each kind also
concerns clause 8.5.1; an "out" one only its register's clause and carries
the secret word."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from planning import services
from qms.models import Clause
from tests.planning.factories import issue_data, kpi_data, last_month, make_risk, objective_data, party_data


def build(w, *, quality_manager, author, approver, staff, auditor, external_auditor):
    from tests.auditor.scope_world import SECRET

    qm = quality_manager
    press = [Clause.objects.get(number="8.5.1")]
    today = timezone.localdate()
    for side in ("in", "out"):
        word = SECRET if side == "out" else "Press"
        extra = press if side == "in" else []
        s = w[side]
        s["issue"] = services.issue_save(actor=qm, data=issue_data(qm, title=f"{word} market issue"), clauses=extra)
        s["party"] = services.party_save(actor=qm, data=party_data(qm, name=f"{word} customers"), clauses=extra)
        s["risk"] = make_risk(qm, title=f"{word} tooling wear", clauses=extra)
        services.risk_update(actor=qm, risk=s["risk"], data={}, issues=[s["issue"]], parties=[s["party"]])
        s["risk_action"] = services.risk_action_add(actor=qm, risk=s["risk"], description=f"{word} spare tools",
                                                    owner=staff, start_date=today, due_date=today + timedelta(10))
        s["objective"] = services.objective_save(actor=qm, data=objective_data(qm, statement=f"{word} on time"),
                                                 clauses=extra)
        s["kpi"] = services.kpi_save(actor=qm, objective=s["objective"], data=kpi_data(qm, name=f"{word} OTD"))
        s["measurement"] = services.measurement_record(
            actor=qm, kpi=s["kpi"], day=last_month(), value=Decimal("93"), comment=f"{word} value",
            evidence=SimpleUploadedFile(f"{word}.csv", b"a,b\n1,2\n", content_type="text/csv"))


_ROUTES = (
    ("planning:issue-", "issue"), ("planning:party-", "party"), ("planning:risk-action-", "risk_action"),
    ("planning:risk-", "risk"), ("planning:objective-", "objective"), ("planning:kpi-create", "objective"),
    ("planning:kpi-", "kpi"), ("planning:measurement-add", "kpi"), ("planning:measurement-evidence", "measurement"),
)


def path_kwargs(name, side, w):
    if not name.startswith("planning:"):
        return None
    for prefix, key in _ROUTES:
        if name.startswith(prefix):
            return {"pk": w[side][key].pk}, False
    return None


def markers(w):
    out = w["out"]
    return [out[k].number for k in ("issue", "party", "risk", "objective", "kpi")]


def trail_targets(w, side):
    return [w[side][k] for k in ("issue", "party", "risk", "risk_action", "objective", "kpi", "measurement")]
