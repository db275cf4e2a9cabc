"""Writes for the context register, risks and objectives. One keyword-only
service per action, atomic, checking its rule once; each writes its audit
event in the same transaction and attributes the history row (who and why).

Bad input raises `Invalid` (a DomainError naming the field it concerns), so a
view shows it beside the field and nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from audits.selectors import add_months
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
    bands_problem,
    last_closed_period,
    period_containing,
    periods_between,
)
from qms import measures
from qms.audit import attribute, record_event
from qms.dates import EARLIEST, in_window, latest
from qms.errors import DomainError
from qms.lifecycle import guard, transition
from qms.models import Clause
from qms.rules import require
from qms.uploads import store_upload

EVIDENCE_TYPES = ("pdf", "png", "jpg", "jpeg", "docx", "xlsx", "odt", "ods", "csv", "txt")


class Invalid(DomainError):
    """Input a service refuses; `field` is the form field it concerns ("" for the form)."""

    status_code = 400

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def _today() -> date:
    return timezone.localdate()


def _check_date(value, label: str, field: str) -> None:
    if value is not None and not in_window(value):
        raise Invalid(gettext("%(label)s must be between %(earliest)s and %(latest)s.")
                      % {"label": label, "earliest": f"{EARLIEST:%Y-%m-%d}", "latest": f"{latest():%Y-%m-%d}"}, field)


def _home_clause(obj, number: str, extra=()) -> None:
    """Every entry links to its register's clause (the auditor's scope), plus any given."""
    home = Clause.objects.filter(number=number).first()
    obj.clauses.set([c for c in [home, *extra] if c is not None])


def _set(obj, data: dict, fields: tuple[str, ...]) -> list[str]:
    """Copy `fields` from `data` onto `obj`; return the names that changed."""
    changed = []
    for name in fields:
        if name not in data:
            continue
        f = obj._meta.get_field(name)
        if f.many_to_one:  # compare ids: an unset foreign key has no object to read
            now, new = getattr(obj, f.attname), getattr(data[name], "pk", data[name])
        else:
            now, new = getattr(obj, name), data[name]
        if now != new:
            setattr(obj, name, data[name])
            changed.append(name)
    return changed


def _value(obj, name: str):
    f = obj._meta.get_field(name)
    return getattr(obj, f.attname) if f.many_to_one else getattr(obj, name)


def _text(data: dict, *names: str) -> None:
    for name in names:
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()


# ------------------------------------------------------------------ the risk scale
@transaction.atomic
def scale_save(*, actor, likelihood_levels: int, impact_levels: int, bands: list[dict]) -> RiskScale:
    """Set the likelihood × impact scale and its rating bands. A smaller scale
    than the register's current levels is refused (those scores would fall off it)."""
    require("planning.configure_scale", actor)
    for value, message, field in ((likelihood_levels, gettext("Likelihood needs from 2 to 10 levels."), "likelihood_levels"),
                                  (impact_levels, gettext("Impact needs from 2 to 10 levels."), "impact_levels")):
        if not isinstance(value, int) or not 2 <= value <= 10:
            raise Invalid(message, field)
    problem = bands_problem(bands, likelihood_levels * impact_levels)
    if problem:
        raise Invalid(problem, "bands")
    used = Risk.objects.aggregate(l=Max("likelihood"), i=Max("impact"), rl=Max("residual_likelihood"),
                                  ri=Max("residual_impact"))
    top_l = max(used["l"] or 0, used["rl"] or 0)
    top_i = max(used["i"] or 0, used["ri"] or 0)
    if top_l > likelihood_levels:
        raise Invalid(gettext("Risks are rated up to likelihood %(top)s: the scale cannot end below it.") % {"top": top_l},
                      "likelihood_levels")
    if top_i > impact_levels:
        raise Invalid(gettext("Risks are rated up to impact %(top)s: the scale cannot end below it.") % {"top": top_i},
                      "impact_levels")
    scale = RiskScale.objects.select_for_update().filter(pk=1).first() or RiskScale(pk=1)
    scale.likelihood_levels, scale.impact_levels = likelihood_levels, impact_levels
    scale.bands = [{"name": str(b["name"]).strip(), "max": b.get("max"), "colour": b.get("colour", "secondary")}
                   for b in bands]
    scale.bands[-1]["max"] = scale.max_score
    attribute(scale, actor, "Risk scale changed")
    scale.save()
    record_event(actor=actor, verb="riskscale.changed", obj=scale,
                 data={"likelihood": likelihood_levels, "impact": impact_levels})
    return scale


def check_levels(scale: RiskScale, likelihood, impact, *, prefix: str = "") -> None:
    """Scores outside the scale are refused, naming the field."""
    for value, top, message, name in (
            (likelihood, scale.likelihood_levels, gettext("Likelihood must be from 1 to %(top)s (the scale)."), "likelihood"),
            (impact, scale.impact_levels, gettext("Impact must be from 1 to %(top)s (the scale)."), "impact")):
        if value is None or not isinstance(value, int) or not 1 <= value <= top:
            raise Invalid(message % {"top": top}, prefix + name)


# ------------------------------------------------------------------ context (4.1, 4.2)
ISSUE_FIELDS = ("origin", "category", "title", "description", "effect", "source", "owner", "review_months")
PARTY_FIELDS = ("name", "kind", "internal", "requirements", "monitoring", "owner", "review_months")


def _entry_save(actor, model, entry, data: dict, fields, clause: str, verbs: tuple[str, str], clauses=()):
    _text(data, *[f for f in fields if f not in ("owner", "review_months", "internal")])
    months = data.get("review_months")
    if not isinstance(months, int) or not 1 <= months <= 60:
        raise Invalid(gettext("Review at least every 60 months (and at least one month apart)."), "review_months")
    creating = entry is None
    if not creating:
        entry.refresh_from_db()  # compare with the stored entry (a bound ModelForm has already changed this object)
    if creating:
        require("planning.manage_context", actor)
        entry = model(next_review_on=add_months(_today(), months))
    else:
        require("planning.edit_context_entry", actor, entry)
    changed = _set(entry, data, fields)
    if not creating and not changed:
        return entry
    if not creating and "review_months" in changed:
        entry.next_review_on = add_months(entry.last_reviewed_on or timezone.localtime(entry.created_at).date(), months)
    entry.changed_at = timezone.now()
    entry.full_clean(exclude=["clauses"])
    attribute(entry, actor, verbs[0] if creating else verbs[1])
    entry.save()
    if creating:
        _home_clause(entry, clause, clauses)
    record_event(actor=actor, verb=verbs[0] if creating else verbs[1], obj=entry,
                 data={} if creating else {"fields": changed})
    return entry


@transaction.atomic
def issue_save(*, actor, issue: ContextIssue | None = None, data: dict, clauses=()) -> ContextIssue:
    """Record or change an internal or external issue (4.1); `clauses`: others it concerns."""
    return _entry_save(actor, ContextIssue, issue, dict(data), ISSUE_FIELDS, "4.1",
                       ("context.issue_created", "context.issue_changed"), clauses)


@transaction.atomic
def party_save(*, actor, party: InterestedParty | None = None, data: dict, clauses=()) -> InterestedParty:
    """Record or change an interested party and its relevant requirements (4.2)."""
    return _entry_save(actor, InterestedParty, party, dict(data), PARTY_FIELDS, "4.2",
                       ("context.party_created", "context.party_changed"), clauses)


@transaction.atomic
def entry_review(*, actor, entry, outcome: str):
    """Reviewed on schedule: stamps the review (no edit) and sets the next one."""
    require("planning.edit_context_entry", actor, entry)
    if entry.status != entry.Status.ACTIVE:
        raise DomainError(gettext("A retired entry is not reviewed; make it active again first."))
    if not (outcome or "").strip():
        raise Invalid(gettext("Say what the review found (for example “still relevant, no change”)."), "outcome")
    entry.last_reviewed_on = _today()
    entry.next_review_on = add_months(_today(), entry.review_months)
    attribute(entry, actor, "context.reviewed")
    entry.save()
    record_event(actor=actor, verb="context.reviewed", obj=entry, comment=outcome.strip())
    return entry


@transaction.atomic
def entry_retire(*, actor, entry, reason: str):
    require("planning.edit_context_entry", actor, entry)
    if not (reason or "").strip():
        raise Invalid(gettext("Give the reason it is no longer relevant."), "reason")
    entry.changed_at = timezone.now()
    return transition(entry, entry.Status.RETIRED, actor=actor, verb="context.retired", comment=reason.strip())


@transaction.atomic
def entry_reactivate(*, actor, entry):
    require("planning.edit_context_entry", actor, entry)
    entry.changed_at = timezone.now()
    entry.next_review_on = max(entry.next_review_on, _today())
    return transition(entry, entry.Status.ACTIVE, actor=actor, verb="context.reactivated")


# ------------------------------------------------------------------ risks and opportunities (6.1)
RISK_FIELDS = ("kind", "title", "process", "department", "cause", "effect", "owner", "treatment")


@dataclass
class Assessment:
    likelihood: int
    impact: int
    reassess_on: date
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    note: str = ""


def _check_assessment(a: Assessment, *, kind: str) -> RiskScale:
    scale = RiskScale.current()
    check_levels(scale, a.likelihood, a.impact)
    if (a.residual_likelihood is None) != (a.residual_impact is None):
        raise Invalid(gettext("Give both the residual likelihood and the residual impact, or neither."), "residual_impact")
    if a.residual_likelihood is not None:
        check_levels(scale, a.residual_likelihood, a.residual_impact, prefix="residual_")
        if kind == Risk.Kind.RISK and a.residual_likelihood * a.residual_impact > a.likelihood * a.impact:
            raise Invalid(gettext("The residual score is what remains after treatment: it cannot exceed the current score."),
                          "residual_impact")
    if a.reassess_on is None:
        raise Invalid(gettext("Set the date of the next re-assessment."), "reassess_on")
    _check_date(a.reassess_on, gettext("The re-assessment date"), "reassess_on")
    if a.reassess_on < _today():
        raise Invalid(gettext("The next re-assessment cannot be in the past."), "reassess_on")
    return scale


def _check_treatment(kind: str, treatment: str) -> None:
    allowed_ = Risk.OPPORTUNITY_TREATMENTS if kind == Risk.Kind.OPPORTUNITY else Risk.RISK_TREATMENTS
    if treatment not in allowed_:
        labels = ", ".join(str(Risk.Treatment(t).label).lower() for t in allowed_)
        message = (gettext("An opportunity is treated by: %(labels)s.") if kind == Risk.Kind.OPPORTUNITY
                   else gettext("A risk is treated by: %(labels)s."))
        raise Invalid(message % {"labels": labels}, "treatment")


def _apply_assessment(risk: Risk, a: Assessment) -> None:
    risk.likelihood, risk.impact = a.likelihood, a.impact
    risk.score = a.likelihood * a.impact
    risk.residual_likelihood, risk.residual_impact = a.residual_likelihood, a.residual_impact
    risk.residual_score = (a.residual_likelihood * a.residual_impact) if a.residual_likelihood is not None else None
    risk.reassess_on = a.reassess_on


def _assessment_row(actor, risk: Risk, note: str) -> RiskAssessment:
    return RiskAssessment.objects.create(
        risk=risk, assessed_on=_today(), likelihood=risk.likelihood, impact=risk.impact, score=risk.score,
        residual_score=risk.residual_score, note=note, assessed_by=actor,
    )


@transaction.atomic
def risk_create(*, actor, data: dict, assessment: Assessment, issues=(), parties=(), clauses=()) -> Risk:
    """Record a risk or opportunity with its first assessment (the first point of its trend)."""
    require("planning.create_risk", actor)
    data = dict(data)
    _text(data, "title", "cause", "effect")
    kind = data.get("kind") or Risk.Kind.RISK
    _check_treatment(kind, data.get("treatment"))
    _check_assessment(assessment, kind=kind)
    risk = Risk()
    _set(risk, data, RISK_FIELDS)
    _apply_assessment(risk, assessment)
    risk.full_clean(exclude=["issues", "parties", "clauses"])
    attribute(risk, actor, "risk.created")
    risk.save()
    risk.issues.set(issues)
    risk.parties.set(parties)
    _home_clause(risk, "6.1", clauses)
    _assessment_row(actor, risk, assessment.note or "First assessment")
    record_event(actor=actor, verb="risk.created", obj=risk, data={"score": risk.score})
    return risk


@transaction.atomic
def risk_update(*, actor, risk: Risk, data: dict, issues=None, parties=None) -> Risk:
    """Change what a risk is (not its scores: a re-assessment does that)."""
    risk.refresh_from_db()  # compare with the stored risk (a bound ModelForm has already changed this object)
    require("planning.edit_risk", actor, risk)
    data = dict(data)
    _text(data, "title", "cause", "effect")
    _check_treatment(data.get("kind", risk.kind), data.get("treatment", risk.treatment))
    changed = _set(risk, data, RISK_FIELDS)
    if issues is not None:
        risk.issues.set(issues)
    if parties is not None:
        risk.parties.set(parties)
    if not changed:
        return risk
    risk.changed_at = timezone.now()
    risk.full_clean(exclude=["issues", "parties", "clauses"])
    attribute(risk, actor, "risk.changed")
    risk.save()
    record_event(actor=actor, verb="risk.changed", obj=risk, data={"fields": changed})
    return risk


@transaction.atomic
def risk_assess(*, actor, risk: Risk, assessment: Assessment) -> Risk:
    """Re-assess: new likelihood, impact and residual, next date; a new point on the trend."""
    require("planning.edit_risk", actor, risk)
    _check_assessment(assessment, kind=risk.kind)
    if not assessment.note.strip():
        raise Invalid(gettext("Say what the re-assessment found."), "note")
    before = risk.score
    _apply_assessment(risk, assessment)
    risk.changed_at = timezone.now()
    attribute(risk, actor, "risk.assessed")
    risk.save()
    _assessment_row(actor, risk, assessment.note.strip())
    record_event(actor=actor, verb="risk.assessed", obj=risk, comment=assessment.note.strip(),
                 data={"score": risk.score, "before": before, "residual": risk.residual_score})
    return risk


@transaction.atomic
def risk_action_add(*, actor, risk: Risk, description: str, owner, start_date: date, due_date: date) -> RiskAction:
    """A treatment action with its owner and dates; an open risk becomes "being treated"."""
    require("planning.edit_risk", actor, risk)
    if not (description or "").strip():
        raise Invalid(gettext("Describe the action."), "description")
    if owner is None:
        raise Invalid(gettext("Name the action's owner."), "owner")
    if start_date is None or due_date is None:
        raise Invalid(gettext("Give the start and due dates."), "due_date")
    _check_date(start_date, gettext("The start date"), "start_date")
    _check_date(due_date, gettext("The due date"), "due_date")
    if due_date < start_date:
        raise Invalid(gettext("The due date is before the start date."), "due_date")
    action = RiskAction(risk=risk, description=description.strip(), owner=owner, start_date=start_date,
                        due_date=due_date)
    attribute(action, actor, "risk.action_added")
    action.save()
    record_event(actor=actor, verb="risk.action_added", obj=risk, comment=action.description[:300])
    if risk.status == Risk.Status.OPEN:
        risk.changed_at = timezone.now()
        transition(risk, Risk.Status.TREATING, actor=actor, verb="risk.treating")
    return action


@transaction.atomic
def risk_action_complete(*, actor, action: RiskAction, outcome: str, completed_on: date | None = None) -> RiskAction:
    guard(action, RiskAction.Status.DONE, actor=actor, rule="planning.complete_risk_action")
    completed_on = completed_on or _today()
    if not (outcome or "").strip():
        raise Invalid(gettext("Say what was done and whether it worked."), "outcome")
    if completed_on > _today():
        raise Invalid(gettext("The completion date is in the future."), "completed_on")
    if completed_on < action.start_date:
        raise Invalid(gettext("The completion date is before the action started."), "completed_on")
    action.completed_on, action.outcome = completed_on, outcome.strip()
    transition(action, RiskAction.Status.DONE, actor=actor, verb="risk.action_done", comment=action.outcome)
    record_event(actor=actor, verb="risk.action_done", obj=action.risk, comment=action.outcome[:300])
    return action


@transaction.atomic
def risk_action_cancel(*, actor, action: RiskAction, reason: str) -> RiskAction:
    guard(action, RiskAction.Status.CANCELLED, actor=actor, rule="planning.complete_risk_action")
    if not (reason or "").strip():
        raise Invalid(gettext("Give the reason."), "reason")
    action.outcome = reason.strip()
    transition(action, RiskAction.Status.CANCELLED, actor=actor, verb="risk.action_cancelled", comment=action.outcome)
    return action


@transaction.atomic
def risk_close(*, actor, risk: Risk, reason: str) -> Risk:
    guard(risk, Risk.Status.CLOSED, actor=actor, rule="planning.close_risk")
    if not (reason or "").strip():
        raise Invalid(gettext("Give the reason for closing it."), "reason")
    if risk.actions.filter(status=RiskAction.Status.OPEN).exists():
        raise DomainError(gettext("Complete or cancel the open treatment actions first."))
    risk.closed_reason = reason.strip()
    risk.changed_at = timezone.now()
    return transition(risk, Risk.Status.CLOSED, actor=actor, verb="risk.closed", comment=risk.closed_reason)


@transaction.atomic
def risk_reopen(*, actor, risk: Risk, reason: str) -> Risk:
    guard(risk, Risk.Status.OPEN, actor=actor, rule="planning.reopen_risk")
    if not (reason or "").strip():
        raise Invalid(gettext("Give the reason for reopening it."), "reason")
    risk.reassess_on = max(risk.reassess_on, _today())
    risk.changed_at = timezone.now()
    return transition(risk, Risk.Status.OPEN, actor=actor, verb="risk.reopened", comment=reason.strip())


@transaction.atomic
def risk_raise_capa(*, actor, risk: Risk, title: str, description: str, severity: str, due_date=None):
    """A risk that has materialised (or needs corrective action) raises a CAPA
    with source "risk"; the CAPA links back here (audits' origin link)."""
    from audits import services as audit_services

    require("planning.raise_capa", actor, risk)
    clause = Clause.objects.filter(number="6.1").first()
    capa = audit_services.capa_raise(actor=actor, source="risk", title=title, description=description,
                                     severity=severity, owner=risk.owner, process=risk.process, clause=clause,
                                     due_date=due_date, origin=risk)
    record_event(actor=actor, verb="risk.capa_raised", obj=risk, comment=capa.number)
    return capa


# ------------------------------------------------------------------ objectives and KPIs (6.2, 9.1)
OBJECTIVE_FIELDS = ("statement", "policy", "policy_link", "owner", "process", "target", "unit", "direction",
                    "baseline", "start_date", "due_date", "plan_what", "plan_resources", "plan_who", "plan_when",
                    "plan_evaluation")
KPI_FIELDS = ("name", "definition", "unit", "frequency", "target", "direction", "warning", "source", "measure",
              "data_source", "owner", "start_date", "is_active")


def _check_objective(data: dict) -> None:
    if not data.get("unit"):
        raise Invalid(gettext("Give the target's unit (%, days, count…)."), "unit")
    for name in ("plan_what", "plan_resources", "plan_who", "plan_when", "plan_evaluation"):
        if not data.get(name):
            raise Invalid(gettext("The plan needs all five parts of 6.2.2: what, resources, who, when and how it is evaluated."),
                          name)
    start, due = data.get("start_date"), data.get("due_date")
    _check_date(start, gettext("The start date"), "start_date")
    _check_date(due, gettext("The due date"), "due_date")
    if start and due and due < start:
        raise Invalid(gettext("The due date is before the start date."), "due_date")


@transaction.atomic
def objective_save(*, actor, objective: Objective | None = None, data: dict, clauses=()) -> Objective:
    """Set or change a quality objective and its plan (6.2.1, 6.2.2 a–e)."""
    data = dict(data)
    _text(data, "statement", "policy_link", "unit", "plan_what", "plan_resources", "plan_who", "plan_when",
          "plan_evaluation")
    creating = objective is None
    if not creating:
        objective.refresh_from_db()  # compare with the stored objective (a bound ModelForm changed this object)
    if creating:
        require("planning.manage_objectives", actor)
        objective = Objective()
    else:
        require("planning.edit_objective", actor, objective)
    merged = {f: data[f] if f in data else _value(objective, f) for f in OBJECTIVE_FIELDS}
    _check_objective(merged)
    changed = _set(objective, data, OBJECTIVE_FIELDS)
    if not creating and not changed:
        return objective
    objective.changed_at = timezone.now()
    objective.full_clean(exclude=["clauses"])
    verb = "objective.created" if creating else "objective.changed"
    attribute(objective, actor, verb)
    objective.save()
    if creating:
        _home_clause(objective, "6.2", clauses)
    record_event(actor=actor, verb=verb, obj=objective, data={} if creating else {"fields": changed})
    return objective


@transaction.atomic
def objective_close(*, actor, objective: Objective, status: str, evaluation: str) -> Objective:
    """Achieved, not achieved or withdrawn, with the closing evaluation."""
    verbs = {Objective.Status.ACHIEVED: "objective.achieved", Objective.Status.NOT_ACHIEVED: "objective.not_achieved",
             Objective.Status.WITHDRAWN: "objective.withdrawn"}
    if status not in verbs:
        raise Invalid(gettext("Choose achieved, not achieved or withdrawn."), "status")
    guard(objective, status, actor=actor, rule="planning.edit_objective")
    if not (evaluation or "").strip():
        raise Invalid(gettext("Give the evaluation of the results."), "evaluation")
    objective.changed_at = timezone.now()
    return transition(objective, status, actor=actor, verb=verbs[status], comment=evaluation.strip())


def _check_kpi(data: dict) -> None:
    if not data.get("unit"):
        raise Invalid(gettext("A KPI's target needs a unit (%, days, count…)."), "unit")
    if data.get("target") is None:
        raise Invalid(gettext("Give the target."), "target")
    if data.get("source") == Kpi.Source.COMPUTED:
        measure = measures.get(data.get("measure") or "")
        if measure is None:
            raise Invalid(gettext("Choose what the QMS computes."), "measure")
        if data.get("direction") and data["direction"] != ("gte" if measure.better == "higher" else "lte"):
            raise Invalid((gettext("“%(title)s” is better higher: set the direction to match.") if measure.better == "higher"
                           else gettext("“%(title)s” is better lower: set the direction to match.")) % {"title": measure.title},
                          "direction")
    else:
        data["measure"] = ""
    warning, target, direction = data.get("warning"), data.get("target"), data.get("direction")
    if warning is not None and target is not None:
        if (direction == "gte" and warning > target) or (direction == "lte" and warning < target):
            raise Invalid(gettext("The alert threshold lies beyond the target, on the side of a worse result."), "warning")
    _check_date(data.get("start_date"), gettext("The first period"), "start_date")
    if data.get("start_date") and data["start_date"] > _today():
        # A KPI may start in the current period, never in a future one.
        if period_containing(data["start_date"], data.get("frequency") or "monthly")[0] > _today():
            raise Invalid(gettext("The first period measured cannot lie in the future."), "start_date")


@transaction.atomic
def kpi_save(*, actor, objective: Objective, kpi: Kpi | None = None, data: dict) -> Kpi:
    """Define or change a KPI of an objective. A computed KPI gets its values at once."""
    data = dict(data)
    _text(data, "name", "definition", "unit", "data_source")
    creating = kpi is None
    if not creating:
        kpi.refresh_from_db()  # compare with the stored KPI (a bound ModelForm has already changed this object)
    require("planning.edit_objective", actor, objective)
    if creating:
        kpi = Kpi(objective=objective)
    elif kpi.measurements.exists() and "frequency" in data and data["frequency"] != kpi.frequency:
        raise Invalid(gettext("The KPI has measurements: its frequency no longer changes (define a new KPI)."), "frequency")
    merged = {f: data[f] if f in data else _value(kpi, f) for f in KPI_FIELDS}
    _check_kpi(merged)
    data["measure"] = merged["measure"]
    changed = _set(kpi, data, KPI_FIELDS)
    if not creating and not changed:
        return kpi
    kpi.full_clean()
    verb = "kpi.created" if creating else "kpi.changed"
    attribute(kpi, actor, verb)
    kpi.save()
    record_event(actor=actor, verb=verb, obj=kpi, data={} if creating else {"fields": changed})
    if kpi.source == Kpi.Source.COMPUTED:
        _compute(kpi, actor)
    return kpi


@transaction.atomic
def measurement_record(*, actor, kpi: Kpi, day: date, value: Decimal, comment: str = "", evidence=None) -> Measurement:
    """The value of an entered KPI for the period holding `day`. The period must
    have ended; a second value for a period corrects the first (a comment says why)."""
    require("planning.record_measurement", actor, kpi)
    if day is None:
        raise Invalid(gettext("Give the period measured."), "period")
    if value is None:
        raise Invalid(gettext("Give the value."), "value")
    _check_date(day, gettext("The period"), "period")
    start, end = period_containing(day, kpi.frequency)
    if start > _today():
        raise Invalid(gettext("That period has not begun: a measurement is for a period that has ended."), "period")
    if end >= _today():
        raise Invalid(gettext("That period ends on %(date)s: record its measurement once it has ended.") % {"date": f"{end:%Y-%m-%d}"},
                      "period")
    first = period_containing(kpi.start_date, kpi.frequency)[0]
    if start < first:
        raise Invalid(gettext("The KPI is measured from %(date)s.") % {"date": f"{first:%Y-%m-%d}"}, "period")
    comment = (comment or "").strip()
    existing = Measurement.objects.select_for_update().filter(kpi=kpi, period_start=start).first()
    if existing is not None and not comment:
        raise Invalid(gettext("This period already has a value: say in the comment why it is corrected."), "comment")
    m = existing or Measurement(kpi=kpi, period_start=start, period_end=end)
    m.value, m.comment, m.entered_by, m.entered_at = value, comment, actor, timezone.now()
    if evidence is not None:
        stored = store_upload(evidence, folder="planning/measurements", allowed=EVIDENCE_TYPES)
        m.evidence, m.evidence_name = stored.name, stored.original_name
        m.evidence_sha256, m.evidence_type = stored.sha256, stored.content_type
    m.full_clean()
    attribute(m, actor, "Measurement corrected" if existing else "kpi.measured")
    m.save()
    record_event(actor=actor, verb="kpi.measured", obj=kpi, comment=comment,
                 data={"period": f"{start:%Y-%m-%d}", "value": str(value)})
    return m


def _compute(kpi: Kpi, actor) -> int:
    """Store the computed values of every closed period not yet stored."""
    measure = measures.get(kpi.measure)
    if measure is None:
        return 0
    last = last_closed_period(kpi.frequency)
    have = set(kpi.measurements.values_list("period_start", flat=True))
    added = 0
    for start, end in periods_between(kpi.start_date, last[1], kpi.frequency):
        if start in have:
            continue
        value = measure.value(start, end)
        if value is None:
            continue
        m = Measurement(kpi=kpi, period_start=start, period_end=end, value=value, computed=True,
                        comment=f"Computed: {measure.title}")
        attribute(m, actor, "Computed by the QMS")
        m.save()
        added += 1
    if added:
        record_event(actor=actor, verb="kpi.computed", obj=kpi, comment=f"{added} period{'s' if added != 1 else ''}")
    return added


@transaction.atomic
def kpi_refresh(*, actor, kpi: Kpi) -> int:
    """Compute the periods that have ended since the last refresh (also the daily job)."""
    if actor is not None:
        require("planning.refresh_kpi", actor, kpi)
    return _compute(kpi, actor)


def refresh_computed_kpis() -> int:
    """The daily refresh of every active computed KPI (the beat schedule)."""
    total = 0
    for kpi in Kpi.objects.filter(source=Kpi.Source.COMPUTED, is_active=True, objective__status=Objective.Status.ACTIVE):
        with transaction.atomic():
            total += _compute(kpi, None)
    return total

