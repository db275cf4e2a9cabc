"""What the planning app gives the core's hooks: its registers (export, as-of
view, evidence pack), the readiness evidence for 4.1, 4.2, 6.1 and 6.2, its
parts of the management review inputs, and the risk weight of a process for
the audit programme. Imported by PlanningConfig.ready(). Each runs a fixed
number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.utils import timezone, translation

from planning import selectors
from planning.models import (
    ContextIssue,
    InterestedParty,
    Kpi,
    Measurement,
    Objective,
    Risk,
    RiskAction,
    RiskAssessment,
    RiskScale,
)
from qms import charts, evidence, registers, review_inputs, weights
from qms.models import Process, User


def _end_of_day(on: date) -> datetime:
    return datetime.combine(on, time.max, tzinfo=UTC)


def _as_of(model, visible_pks, on: date | None, live_qs):
    """The rows now (`live_qs`), or as they stood at the end of `on` (history),
    limited to the objects the user may see now."""
    if on is None:
        return list(live_qs)
    return list(model.history.as_of(_end_of_day(on)).filter(id__in=visible_pks).order_by("id"))


def _names(model, ids) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    if model is User:
        return {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)}
    return {o.pk: str(o) for o in model.objects.filter(pk__in=ids)}


def _d(value) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def _label(model, field, value) -> str:
    with translation.override("en"):  # exports stay in English, like their column headings
        return str(dict(model._meta.get_field(field).flatchoices).get(value, value))


# ------------------------------------------------------------------ registers
def issue_rows(user, on):
    visible = selectors.issues_for_user(user)
    rows = _as_of(ContextIssue, visible.values("pk"), on, visible.order_by("id"))
    owners = _names(User, [r.owner_id for r in rows])
    return [[r.number, _label(ContextIssue, "origin", r.origin), _label(ContextIssue, "category", r.category), r.title,
             r.description, r.effect, r.source, owners.get(r.owner_id, ""), _d(r.last_reviewed_on),
             _d(r.next_review_on), _label(ContextIssue, "status", r.status)] for r in rows]


def party_rows(user, on):
    visible = selectors.parties_for_user(user)
    rows = _as_of(InterestedParty, visible.values("pk"), on, visible.order_by("id"))
    owners = _names(User, [r.owner_id for r in rows])
    return [[r.number, r.name, _label(InterestedParty, "kind", r.kind), "Internal" if r.internal else "External",
             r.requirements, r.monitoring, owners.get(r.owner_id, ""), _d(r.last_reviewed_on), _d(r.next_review_on),
             _label(InterestedParty, "status", r.status)] for r in rows]


def risk_rows(user, on):
    visible = selectors.risks_for_user(user)
    rows = _as_of(Risk, visible.values("pk"), on, visible.order_by("id"))
    owners = _names(User, [r.owner_id for r in rows])
    processes = _names(Process, [r.process_id for r in rows])
    scale = RiskScale.current()
    out = []
    for r in rows:
        band = scale.band_for(r.score)
        residual = scale.band_for(r.residual_score)
        number = f"{'OPP' if r.kind == Risk.Kind.OPPORTUNITY else 'RSK'}-{r.id:04d}"
        out.append([number, r.title, _label(Risk, "kind", r.kind), processes.get(r.process_id, ""), r.cause, r.effect,
                    owners.get(r.owner_id, ""), r.likelihood, r.impact, r.score, band.name if band else "",
                    _label(Risk, "treatment", r.treatment), r.residual_score if r.residual_score is not None else "",
                    residual.name if residual else "", _d(r.reassess_on), _label(Risk, "status", r.status)])
    return out


def objective_rows(user, on):
    """One row per KPI (an objective without KPI has one row of its own)."""
    visible = selectors.objectives_for_user(user)
    objectives = _as_of(Objective, visible.values("pk"), on, visible.order_by("id"))
    obj_ids = [o.id for o in objectives]
    kpi_live = Kpi.objects.filter(objective_id__in=obj_ids).order_by("id")
    kpis = _as_of(Kpi, kpi_live.values("pk"), on, kpi_live)
    cutoff = on or timezone.localdate()
    latest = {}
    for kpi_id, start, value in (Measurement.objects.filter(kpi_id__in=[k.id for k in kpis], period_end__lte=cutoff)
                                 .order_by("kpi_id", "-period_start").values_list("kpi_id", "period_start", "value")):
        latest.setdefault(kpi_id, (start, value))
    owners = _names(User, [o.owner_id for o in objectives])
    by_objective: dict[int, list] = {}
    for k in kpis:
        by_objective.setdefault(k.objective_id, []).append(k)
    out = []
    for o in objectives:
        head = [f"OBJ-{o.id:03d}", o.statement, f"{'≥' if o.direction == 'gte' else '≤'} {o.target.normalize():f} {o.unit}",
                owners.get(o.owner_id, ""), _d(o.due_date), _label(Objective, "status", o.status)]
        for k in by_objective.get(o.id, []) or [None]:
            if k is None:
                out.append(head + ["", "", "", "", "", ""])
                continue
            start, value = latest.get(k.id, (None, None))
            out.append(head + [f"KPI-{k.id:03d} {k.name}", _label(Kpi, "frequency", k.frequency),
                               f"{'≥' if k.direction == 'gte' else '≤'} {k.target.normalize():f} {k.unit}",
                               _label(Kpi, "source", k.source), _d(start),
                               f"{value.normalize():f}" if value is not None else ""])
    return out


registers.declare(registers.Register(
    key="planning.context_issues", title="Context: internal and external issues", clause="4.1",
    rule="planning.view_context", url_name="planning:context",
    columns=["Number", "Origin", "Category", "Issue", "Description", "Effect", "Source", "Owner", "Last reviewed",
             "Next review", "Status"],
    rows=issue_rows,
))
registers.declare(registers.Register(
    key="planning.interested_parties", title="Context: interested parties", clause="4.2",
    rule="planning.view_context", url_name="planning:context",
    columns=["Number", "Party", "Type", "Internal/external", "Relevant requirements", "How monitored", "Owner",
             "Last reviewed", "Next review", "Status"],
    rows=party_rows,
))
registers.declare(registers.Register(
    key="planning.risks", title="Risk and opportunity register", clause="6.1", rule="planning.view_risks",
    url_name="planning:risks",
    columns=["Number", "Title", "Kind", "Process", "Cause", "Effect", "Owner", "Likelihood", "Impact", "Score",
             "Rating", "Treatment", "Residual score", "Residual rating", "Re-assess on", "Status"],
    rows=risk_rows,
))
registers.declare(registers.Register(
    key="planning.objectives", title="Quality objectives and KPIs", clause="6.2", rule="planning.view_objectives",
    url_name="planning:objectives",
    columns=["Objective", "Statement", "Target", "Owner", "Due", "Status", "KPI", "Frequency", "KPI target", "Source",
             "Latest period", "Latest value"],
    rows=objective_rows,
))


# ------------------------------------------------------------------ readiness evidence
@evidence.provider
def planning_evidence(today: date) -> list[evidence.Evidence]:
    """4.1 and 4.2 by a reviewed context register, 6.1 by a risk register
    reviewed within the cycle (12 months), 6.2 by objectives with current measurements."""
    from django.urls import reverse

    out = []
    year_ago = today - timedelta(days=365)
    for clause, model, label in (("4.1", ContextIssue, "Context issues"), ("4.2", InterestedParty, "Interested parties")):
        agg = model.objects.filter(status="active").aggregate(
            n=Count("id"), overdue=Count("id", filter=Q(next_review_on__lt=today)), last=Max("last_reviewed_on"))
        if agg["n"]:
            current = not agg["overdue"]
            reason = "" if current else f"{agg['overdue']} of {agg['n']} past their review date"
            out.append(evidence.Evidence(clause, label, agg["n"], current, reason, reverse("planning:context")))
    # One aggregate per register (conditional counts; "re-assessed within 12 months" as an EXISTS).
    assessed = Exists(RiskAssessment.objects.filter(risk=OuterRef("pk"), assessed_on__gte=year_ago))
    agg = Risk.objects.open().aggregate(n=Count("id"), overdue=Count("id", filter=Q(reassess_on__lt=today)),
                                        reviewed=Count("id", filter=Q(assessed)))
    if agg["n"]:
        reviewed = agg["reviewed"]
        current = reviewed == agg["n"] and not agg["overdue"]
        reasons = []
        if reviewed < agg["n"]:
            reasons.append(f"{agg['n'] - reviewed} not re-assessed within 12 months")
        if agg["overdue"]:
            reasons.append(f"{agg['overdue']} past their re-assessment date")
        reason = "; ".join(reasons)
        out.append(evidence.Evidence("6.1", "Risk and opportunity register", agg["n"], current, reason,
                                     reverse("planning:risks")))
    measured_recently = Exists(Measurement.objects.filter(kpi__objective=OuterRef("pk"), period_end__gte=year_ago))
    agg = Objective.objects.filter(status=Objective.Status.ACTIVE).aggregate(
        n=Count("id"), measured=Count("id", filter=Q(measured_recently)))
    n = agg["n"]
    if n:
        missing = Kpi.objects.filter(selectors.missing_filter(today)).count()
        measured = agg["measured"]
        current = measured == n and not missing
        reasons = []
        if measured < n:
            reasons.append(f"{n - measured} of {n} objectives without a measurement in 12 months")
        if missing:
            reasons.append(f"{missing} KPI measurement{'s' if missing != 1 else ''} missing")
        reason = "; ".join(reasons)
        out.append(evidence.Evidence("6.2", "Quality objectives with KPIs", n, current, reason,
                                     reverse("planning:objectives")))
    return out


# ------------------------------------------------------------------ management review inputs (9.3.2)
def _start(period) -> datetime:
    return datetime.combine(period.start, time.min, tzinfo=UTC)


@review_inputs.contributes("context_changes")
def context_changes(period) -> review_inputs.Contribution | None:
    """New, changed and retired context entries in the period (9.3.2 b)."""
    start, end = _start(period), _end_of_day(period.end)
    rows = []
    for model, kind in ((ContextIssue, "Issue"), (InterestedParty, "Interested party")):
        hist = (model.history.filter(history_date__gte=start, history_date__lte=end)
                .values("id", "history_type", "status").order_by("id", "history_date"))
        seen: dict[int, str] = {}
        for h in hist:
            what = "new" if h["history_type"] == "+" else ("retired" if h["status"] == "retired" else "changed")
            if seen.get(h["id"]) != "new":
                seen[h["id"]] = what
        names = {o.pk: str(o) for o in model.objects.filter(pk__in=seen)}
        rows += [[kind, names.get(pk, f"#{pk}"), what] for pk, what in sorted(seen.items())]
    total_active = ContextIssue.objects.filter(status="active").count()
    facts = [("Active context issues", total_active), ("Entries new or changed in the period", len(rows))]
    table = review_inputs.Table(["Kind", "Entry", "Change"], rows[:100], caption="Context changes in the period")
    return review_inputs.Contribution(heading="Context of the organisation", facts=facts,
                                      tables=[table] if rows else [],
                                      note="" if rows else "No context entry changed in the period.")


@review_inputs.contributes("objectives")
def objectives_achieved(period) -> review_inputs.Contribution | None:
    """Each KPI's latest value in the period against its target, with its chart (9.3.2 c 2)."""
    kpis = list(Kpi.objects.filter(objective__status__in=["active", "achieved", "not_achieved"], is_active=True)
                .select_related("objective").order_by("objective_id", "id")[:50])
    if not kpis:
        return None
    series: dict[int, list] = {k.pk: [] for k in kpis}
    for m in (Measurement.objects.filter(kpi_id__in=series, period_start__gte=period.start, period_end__lte=period.end)
              .order_by("period_start").only("kpi_id", "period_start", "value")):
        series[m.kpi_id].append(m)
    rows, made, met = [], [], 0
    for k in kpis:
        values = series[k.pk]
        latest = values[-1].value if values else None
        rating = k.rating(latest)
        met += rating == "on_target"
        rows.append([k.objective.number, k.name, f"{'≥' if k.direction == 'gte' else '≤'} {k.target.normalize():f} {k.unit}",
                     f"{latest.normalize():f} {k.unit}" if latest is not None else "no data",
                     {"on_target": "met", "watch": "watch", "off_target": "not met"}.get(rating, "—")])
        if values and len(made) < 12:
            made.append(charts.line(f"{k.name} ({k.unit})", [f"{m.period_start:%Y-%m}" for m in values],
                                    {k.name: [float(m.value) for m in values]}, target=float(k.target),
                                    thresholds={"Alert": float(k.warning) if k.warning is not None else None},
                                    unit=k.unit, width=480, height=220))
    return review_inputs.Contribution(
        heading="Quality objectives and KPIs",
        facts=[("KPIs", len(kpis)), ("On target at the end of the period", met)],
        tables=[review_inputs.Table(["Objective", "KPI", "Target", "Latest", "Result"], rows)], charts=made)


@review_inputs.contributes("risk_actions")
def risk_actions(period) -> review_inputs.Contribution | None:
    """Treatment actions due or done in the period and how scores moved (9.3.2 e)."""
    actions = RiskAction.objects.filter(Q(due_date__range=(period.start, period.end))
                                        | Q(completed_on__range=(period.start, period.end)))
    agg = actions.aggregate(
        n=Count("id"), done=Count("id", filter=Q(status="done")),
        on_time=Count("id", filter=Q(status="done", completed_on__lte=F("due_date"))),
        overdue=Count("id", filter=Q(status="open", due_date__lt=timezone.localdate())))
    if not agg["n"] and not Risk.objects.exists():
        return None
    lowered = raised = 0
    first_last: dict[int, list] = {}
    for risk_id, score in (RiskAssessment.objects.filter(assessed_on__range=(period.start, period.end))
                           .order_by("risk_id", "assessed_on", "id").values_list("risk_id", "score")):
        first_last.setdefault(risk_id, [score, score])[1] = score
    before = dict(RiskAssessment.objects.filter(risk_id__in=first_last, assessed_on__lt=period.start)
                  .values("risk_id").annotate(last=Max("score")).values_list("risk_id", "last"))
    for risk_id, (first, last) in first_last.items():
        start_score = before.get(risk_id, first)
        lowered += last < start_score
        raised += last > start_score
    scale = RiskScale.current()
    open_risks = list(Risk.objects.open().values_list("score", flat=True))
    by_band = {b.name: 0 for b in scale.band_list()}
    for s in open_risks:
        b = scale.band_for(s)
        if b:
            by_band[b.name] += 1
    return review_inputs.Contribution(
        heading="Risks and opportunities",
        facts=[("Treatment actions due or done in the period", agg["n"]), ("Done", agg["done"]),
               ("Done by their due date", agg["on_time"]), ("Open and overdue now", agg["overdue"]),
               ("Risks whose score went down in the period", lowered), ("Risks whose score went up", raised),
               ("Open risks and opportunities", len(open_risks))],
        charts=[charts.bars("Open risks by rating", list(by_band), {"Risks": list(by_band.values())})],
    )


# ------------------------------------------------------------------ the audit programme's risk weights
@weights.provider
def process_risk(subjects):
    return selectors.process_risk_weights(subjects)
