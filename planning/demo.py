"""Demo planning data: the context register (issues and interested parties),
fifteen risks and opportunities across the processes with their treatment
(some actions overdue, some re-assessed, one raising a CAPA), and five quality
objectives whose KPIs have twelve months of measurements (one off target),
plus one KPI computed from the CAPA data. Idempotent.

Everything goes through the services on the demo's moving clock, so the
history, the audit events and the score trends carry their own dates.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from planning import services
from planning.models import ContextIssue, Kpi, Risk, period_containing
from qms.demo import go_live, months_before, moving_clock
from qms.models import Process

ISSUES = [
    ("external", "market", "Customers consolidating their supplier base",
     "Two of the top five customers cut suppliers per commodity.", "Losing a customer would cut volume by 15 %.",
     "Sales review"),
    ("external", "economic", "Steel and energy price volatility", "Quarterly price swings of ±20 %.",
     "Margins and quotation validity.", "Purchasing"),
    ("external", "legal", "New machinery regulation (EU) 2023/1230", "Applies to our assemblies from 2027.",
     "Design and technical file changes.", "Regulatory watch"),
    ("external", "technological", "Customers asking for digital delivery records",
     "Certificates of conformity expected electronically.", "Record-keeping and IT.", "Customer audits"),
    ("internal", "people", "Ageing workforce in machining", "Six of fourteen machinists retire within five years.",
     "Competence and knowledge retention.", "HR plan"),
    ("internal", "processes", "Single CNC cell for critical shafts", "No back-up capacity for SH-42 shafts.",
     "Delivery risk if the cell stops.", "Management meeting"),
    ("internal", "culture", "Good reporting culture on the shop floor", "Near misses and defects are reported.",
     "Early detection of problems.", "Internal audit"),
    ("internal", "finance", "Investment budget limited to 2 % of turnover", "Capital spending is capped.",
     "Slower automation.", "Budget"),
]

PARTIES = [
    ("Volta Motors and other OEM customers", "customer", False, "PPAP, 98 % on-time delivery, 8D within 10 days",
     "Monthly scorecards; quarterly reviews"),
    ("Distribution customers", "customer", False, "Short lead times, complete orders", "Satisfaction survey twice a year"),
    ("Employees", "employee", True, "Safe work, training, fair pay", "Yearly survey; safety committee"),
    ("Owners", "owner", False, "Profitable growth, reputation", "Board meetings"),
    ("Key suppliers", "supplier", False, "Clear specifications, forecasts, on-time payment", "Supplier evaluations"),
    ("Certification body", "certification", False, "ISO 9001 conformity, surveillance audits", "Audit reports"),
    ("Local authority", "regulator", False, "Environmental permit, noise limits", "Permit reports"),
]

# title, kind, process, likelihood, impact, treatment, issue index, story
RISKS = [
    ("CNC cell breakdown stops shaft deliveries", "risk", "PRD", 3, 5, "reduce", 5, "treated"),
    ("Key OEM customer moves to a dual-source policy", "risk", "SAL", 3, 4, "reduce", 0, "treating"),
    ("Steel price rise not passed on in quotes", "risk", "SAL", 4, 3, "transfer", 1, "treating"),
    ("Loss of machining know-how as staff retire", "risk", "HR", 4, 4, "reduce", 4, "overdue"),
    ("Calibration supplier loses accreditation", "risk", "CAL", 2, 4, "transfer", None, "accepted"),
    ("Incorrect drawing revision used at the press", "risk", "DOC", 2, 5, "reduce", None, "capa"),
    ("Single supplier for castings", "risk", "PUR", 3, 4, "reduce", 1, "overdue"),
    ("Design changes miss the new machinery regulation", "risk", "DES", 2, 5, "avoid", 2, "treating"),
    ("Internal audits slip behind the programme", "risk", "IA", 3, 2, "reduce", None, "treated"),
    ("CAPA actions closed without effectiveness evidence", "risk", "CAPA", 2, 3, "reduce", None, "accepted"),
    ("Cyber attack on the ERP stops order entry", "risk", "MGT", 2, 5, "reduce", None, "overdue"),
    ("Electronic certificates win the digital-records tender", "opportunity", "SAL", 3, 4, "exploit", 3, "treating"),
    ("Apprenticeship programme with the local college", "opportunity", "HR", 4, 3, "exploit", 4, "treating"),
    ("Shop-floor reporting feeds the improvement board", "opportunity", "PRD", 4, 2, "exploit", 6, "treated"),
    ("Energy monitoring cuts furnace costs", "opportunity", "PRD", 2, 3, "accept", 1, "accepted"),
]

# statement, unit, direction, target, baseline, kpi name, warning, monthly values generator, process
OBJECTIVES = [
    ("Deliver 97 % of orders on time", "%", "gte", "97", "91", "On-time delivery", "94",
     lambda i: 92 + i * 0.5, "SAL"),
    ("Cut internal scrap below 2 % of production", "%", "lte", "2", "3.4", "Scrap rate", "2.5",
     lambda i: 3.3 - i * 0.11, "PRD"),
    ("Answer customer complaints within 10 days", "days", "lte", "10", "16", "Mean complaint response time", "12",
     lambda i: 15 - i * 0.45, "SAL"),
    ("Keep supplier quality at 99 % accepted lots", "%", "gte", "99", "97.5", "Accepted incoming lots", "98",
     lambda i: 97.2 + (i % 3) * 0.3, "PUR"),  # the one off target all year
    ("Train every machinist on the new set-up standard", "%", "gte", "100", "40", "Machinists trained", "80",
     lambda i: min(100, 45 + i * 5), "HR"),
]


@transaction.atomic
def seed(*, users, stdout) -> None:
    if Risk.objects.exists() or ContextIssue.objects.exists():
        stdout.write("planning: demo context, risks and objectives were seeded before")
        return
    today = timezone.localdate()
    qm = users["qm"]
    processes = {p.code: p for p in Process.objects.all()}
    rng = random.Random(14)
    with moving_clock() as clock:
        start = go_live(today)
        clock.at(start + timedelta(days=20), 10)
        issues = _context(users, clock, start, today)
        risks, late = _risks(users, clock, processes, issues, start, today, rng)
        kpis = _objectives(users, clock, processes, today)
    computed = _computed_kpi(qm, today)
    stdout.write(f"planning: context register ({len(ISSUES)} issues, {len(PARTIES)} parties), {risks} risks and "
                 f"opportunities ({late} treatment actions overdue), {len(OBJECTIVES)} objectives with {kpis} "
                 f"months of KPI values{' and a computed CAPA KPI' if computed else ''}.")


def _context(users, clock, start: date, today: date):
    qm = users["qm"]
    issues = []
    for origin, category, title, description, effect, source in ISSUES:
        issues.append(services.issue_save(actor=qm, data={
            "origin": origin, "category": category, "title": title, "description": description, "effect": effect,
            "source": source, "owner": qm, "review_months": 12}))
    parties = []
    for name, kind, internal, requirements, monitoring in PARTIES:
        parties.append(services.party_save(actor=qm, data={
            "name": name, "kind": kind, "internal": internal, "requirements": requirements, "monitoring": monitoring,
            "owner": qm, "review_months": 12}))
    # The yearly context review, a few months ago: everything but one party checked.
    clock.at(today - timedelta(days=75), 14)
    services.issue_save(actor=qm, issue=issues[2], data={**_issue_fields(issues[2]),
                                                         "effect": "Design, risk assessment and technical file changes."})
    for entry in issues + parties[:-1]:
        services.entry_review(actor=qm, entry=entry, outcome="Still relevant; no change.")
    services.entry_retire(actor=qm, entry=issues[7], reason="Budget cap lifted by the board.")
    return issues


def _issue_fields(issue):
    return {f: getattr(issue, f) for f in services.ISSUE_FIELDS}


def _risks(users, clock, processes, issues, start: date, today: date, rng) -> tuple[int, int]:
    qm = users["qm"]
    owners = [users["qm"], users["approver"], users["author"]]
    late = 0
    for i, (title, kind, proc, lik, imp, treatment, issue_ix, story) in enumerate(RISKS):
        created = start + timedelta(days=30 + i * 9)
        clock.at(created, 10)
        owner = owners[i % 3]
        risk = services.risk_create(
            actor=qm,
            data={"kind": kind, "title": title, "process": processes.get(proc), "department": None,
                  "cause": f"See the context register{'' if issue_ix is None else ' (' + issues[issue_ix].number + ')'}.",
                  "effect": "Late or nonconforming deliveries to customers." if kind == "risk"
                  else "More business or lower cost.", "owner": owner, "treatment": treatment},
            assessment=services.Assessment(likelihood=lik, impact=imp, reassess_on=created + timedelta(days=180)),
            issues=[issues[issue_ix]] if issue_ix is not None else [],
        )
        if story == "accepted":
            # Accepted by informed decision, and looked at again a couple of months ago.
            clock.at(today - timedelta(days=60 - i), 11)
            services.risk_assess(actor=owner, risk=risk, assessment=services.Assessment(
                likelihood=lik, impact=imp, reassess_on=today + timedelta(days=120 + i),
                note="Accepted; reviewed, no change."))
            continue
        action_start = created + timedelta(days=5)
        clock.at(action_start, 11)
        due = action_start + timedelta(days=60 + rng.randint(0, 90))
        action = services.risk_action_add(actor=owner, risk=risk, description=_action_text(kind, title),
                                          owner=owners[(i + 1) % 3], start_date=action_start, due_date=due)
        if story == "overdue":
            # Still open past its due date; re-assessment also late.
            if due >= today:
                continue
            late += 1
            continue
        if story == "capa":
            clock.at(created + timedelta(days=40), 15)
            services.risk_raise_capa(actor=qm, risk=risk, title="Superseded drawing found at press 2",
                                     description="The risk materialised: revision B used after C became effective.",
                                     severity="minor", due_date=created + timedelta(days=100))
        done_on = min(due - timedelta(days=rng.randint(0, 20)), today - timedelta(days=2))
        if done_on < action_start:
            continue
        clock.at(done_on, 16)
        services.risk_action_complete(actor=action.owner, action=action, outcome="Done; the effect is visible.",
                                      completed_on=done_on)
        reassess = max(done_on + timedelta(days=3), created + timedelta(days=30))
        if reassess >= today:
            continue
        clock.at(reassess, 9)
        lower = (max(1, lik - 1), max(1, imp - (1 if story == "treated" else 0)))
        services.risk_assess(actor=owner, risk=risk, assessment=services.Assessment(
            likelihood=lower[0], impact=lower[1], reassess_on=max(today + timedelta(days=rng.randint(10, 150)),
                                                                  reassess + timedelta(days=1)),
            residual_likelihood=max(1, lower[0] - 1), residual_impact=lower[1], note="Treatment in place; lowered."))
        if story == "treating":
            clock.at(reassess + timedelta(days=2), 10)
            services.risk_action_add(actor=owner, risk=risk, description="Follow-up: extend to the second line.",
                                     owner=owners[(i + 2) % 3], start_date=reassess + timedelta(days=2),
                                     due_date=today + timedelta(days=rng.randint(5, 60)))
    _yearly_review(users, clock, today)
    return len(RISKS), late


def _yearly_review(users, clock, today: date) -> None:
    """The yearly risk review, seven weeks ago: every risk not looked at for
    half a year is re-assessed (no change), except those left overdue."""
    clock.at(today - timedelta(days=50), 10)
    half_year = today - timedelta(days=182)
    for risk in Risk.objects.open().filter(reassess_on__gte=today - timedelta(days=50)).order_by("id"):
        if risk.assessments.filter(assessed_on__gte=half_year).exists():
            continue
        services.risk_assess(actor=users["qm"], risk=risk, assessment=services.Assessment(
            likelihood=risk.likelihood, impact=risk.impact, reassess_on=risk.reassess_on,
            residual_likelihood=risk.residual_likelihood, residual_impact=risk.residual_impact,
            note="Yearly risk review: no change."))


def _action_text(kind, title):
    return f"{'Plan to exploit' if kind == 'opportunity' else 'Reduce'}: {title.lower()} — owner's action plan."


def _objectives(users, clock, processes, today: date) -> int:
    qm = users["qm"]
    first = period_containing(months_before(today, 12), "monthly")[0]
    objectives = []
    clock.at(first + timedelta(days=2), 10)
    for statement, unit, direction, target, baseline, kpi_name, warning, _gen, proc in OBJECTIVES:
        objective = services.objective_save(actor=qm, data={
            "statement": statement, "policy": _policy(), "policy_link": "Customer satisfaction and continual improvement",
            "owner": qm, "process": processes.get(proc), "target": Decimal(target), "unit": unit,
            "direction": direction, "baseline": Decimal(baseline), "start_date": first,
            "due_date": date(today.year, 12, 31) if today.month < 12 else date(today.year + 1, 12, 31),
            "plan_what": "Actions listed in the improvement plan for the process.",
            "plan_resources": "Process team time; budget approved in management review.",
            "plan_who": f"Process owner of {proc}", "plan_when": "By the due date, reviewed monthly",
            "plan_evaluation": f"Monthly {kpi_name.lower()} against the target, in the management review."})
        owner = users["approver"] if proc == "PRD" else qm
        kpi = services.kpi_save(actor=qm, objective=objective, data={
            "name": kpi_name, "definition": f"{kpi_name} for the month.", "unit": unit, "frequency": "monthly",
            "target": Decimal(target), "direction": direction, "warning": Decimal(warning), "source": "entered",
            "measure": "", "data_source": "ERP and quality records", "owner": owner, "start_date": first,
            "is_active": True})
        objectives.append((kpi, _gen, owner))
    months = 0
    for i in range(12):
        period = period_containing(months_before(today, 12 - i), "monthly")
        if period[1] >= today:
            break
        clock.at(period[1] + timedelta(days=3), 9)
        for kpi, gen, owner in objectives:
            if i == 11 and kpi.name == "Scrap rate":
                continue  # last month's scrap figure not yet entered: "measurement missing"
            services.measurement_record(actor=owner, kpi=kpi, day=period[0],
                                        value=Decimal(str(round(gen(i), 2))), comment="Monthly figure")
        months += 1
    return months


def _policy():
    from documents.models import Document

    return Document.objects.filter(doc_type__code="POL", title__icontains="quality").order_by("number").first()


def _computed_kpi(qm, today: date) -> bool:
    from qms import measures

    if measures.get("audits.capa_closed_on_time") is None:
        return False
    objective = services.objective_save(actor=qm, data={
        "statement": "Close corrective actions by their due date", "policy": _policy(), "policy_link": "Improvement",
        "owner": qm, "process": Process.objects.filter(code="CAPA").first(), "target": Decimal("90"), "unit": "%",
        "direction": "gte", "baseline": None, "start_date": months_before(today, 12),
        "due_date": date(today.year + 1, 6, 30), "plan_what": "Weekly CAPA review meeting",
        "plan_resources": "Quality manager, process owners", "plan_who": "Quality manager",
        "plan_when": "Every week", "plan_evaluation": "CAPAs closed on time, computed by the QMS"})
    services.kpi_save(actor=qm, objective=objective, data={
        "name": "CAPAs closed on time", "definition": "CAPAs closed in the month by their due date.", "unit": "%",
        "frequency": "quarterly", "target": Decimal("90"), "direction": "gte", "warning": Decimal("75"),
        "source": Kpi.Source.COMPUTED, "measure": "audits.capa_closed_on_time", "data_source": "", "owner": qm,
        "start_date": months_before(today, 12), "is_active": True})
    return True
