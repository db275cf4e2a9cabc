"""Reads for the context register, risks and objectives: querysets cut to what
the user may see (qms.scope.narrow), the register filters, the heat map, the
score trend, KPI series and the measurements missing. Each runs a fixed number
of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from planning.models import (
    FREQUENCY_MONTHS,
    ContextIssue,
    InterestedParty,
    Kpi,
    Measurement,
    Objective,
    Risk,
    RiskAction,
    RiskScale,
    last_closed_period,
    parse_risk_number,
)
from qms import scope
from qms.permissions import has_a_role


def _visible(qs: QuerySet, user) -> QuerySet:
    if not has_a_role(user):
        return qs.none()
    return scope.narrow(qs, user)


# ------------------------------------------------------------------ context
def issues_for_user(user) -> QuerySet[ContextIssue]:
    return _visible(ContextIssue.objects.select_related("owner"), user)


def parties_for_user(user) -> QuerySet[InterestedParty]:
    return _visible(InterestedParty.objects.select_related("owner"), user)


def context_lists(user, *, show_retired: bool = False):
    issues, parties = issues_for_user(user), parties_for_user(user)
    if not show_retired:
        issues = issues.filter(status=ContextIssue.Status.ACTIVE)
        parties = parties.filter(status=InterestedParty.Status.ACTIVE)
    issues = issues.annotate(n_risks=Count("risks", distinct=True)).order_by("origin", "category", "id")
    parties = parties.annotate(n_risks=Count("risks", distinct=True)).order_by("kind", "id")
    return issues, parties


# ------------------------------------------------------------------ risks
def risks_for_user(user) -> QuerySet[Risk]:
    return _visible(Risk.objects.all(), user)


def _band_filter(scale: RiskScale, name: str, field_name: str = "score") -> Q | None:
    band = scale.band_named(name)
    if band is None:
        return None
    return Q(**{f"{field_name}__gte": band.low, f"{field_name}__lte": band.high})


def risk_register(user, filters: dict, scale: RiskScale | None = None) -> QuerySet[Risk]:
    """The register's rows (list columns only), filtered; highest score first."""
    scale = scale or RiskScale.current()
    qs = risks_for_user(user).for_list()
    text = (filters.get("q") or "").strip()
    if text:
        pk = parse_risk_number(text)
        qs = qs.filter(Q(pk=pk) if pk else Q(title__icontains=text) | Q(cause__icontains=text)
                       | Q(effect__icontains=text))
    status = filters.get("status") or ""
    if status == "active":
        qs = qs.open()
    elif status:
        qs = qs.filter(status=status)
    for name in ("kind", "likelihood", "impact", "process", "owner"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("band"):
        q = _band_filter(scale, filters["band"])
        qs = qs.filter(q) if q is not None else qs.none()
    today = timezone.localdate()
    if filters.get("overdue") == "reassessment":
        qs = qs.open().filter(reassess_on__lt=today)
    elif filters.get("overdue") == "actions":
        qs = qs.filter(Exists(RiskAction.objects.filter(risk=OuterRef("pk"), status=RiskAction.Status.OPEN,
                                                        due_date__lt=today)))
    return qs.order_by("-score", "id")


def action_counts(risk_ids) -> dict[int, tuple[int, int]]:
    """{risk id: (open actions, overdue actions)} for one page of the register (one query)."""
    today = timezone.localdate()
    rows = (RiskAction.objects.filter(risk_id__in=list(risk_ids), status=RiskAction.Status.OPEN).values("risk_id")
            .annotate(n=Count("id"), late=Count("id", filter=Q(due_date__lt=today)))
            .values_list("risk_id", "n", "late"))
    return {pk: (n, late) for pk, n, late in rows}


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    count: int
    band: object
    url: str = ""


@dataclass
class HeatMap:
    scale: RiskScale
    rows: list[list[HeatCell]] = field(default_factory=list)  # highest likelihood first
    total: int = 0


def heatmap(user, filters: dict, scale: RiskScale | None = None, base_url: str = "") -> HeatMap:
    """Likelihood × impact with the count of risks in each cell (one query);
    each cell links to the register filtered to it (and the same filters)."""
    from urllib.parse import urlencode

    scale = scale or RiskScale.current()
    kept = {k: v for k, v in filters.items() if k in ("kind", "status", "process", "owner") and v}
    kept.setdefault("status", "active")
    qs = risk_register(user, kept, scale)
    counts = {(r["likelihood"], r["impact"]): r["n"] for r in
              qs.order_by().values("likelihood", "impact").annotate(n=Count("id"))}
    hm = HeatMap(scale=scale)
    for lik in range(scale.likelihood_levels, 0, -1):
        row = []
        for imp in range(1, scale.impact_levels + 1):
            n = counts.get((lik, imp), 0)
            params = {**{k: getattr(v, "pk", v) for k, v in kept.items()}, "likelihood": lik, "impact": imp}
            row.append(HeatCell(lik, imp, n, scale.band_for(lik * imp), f"{base_url}?{urlencode(params)}"))
            hm.total += n
        hm.rows.append(row)
    return hm


def risk_detail(pk: int) -> Risk:
    return Risk.objects.select_related("owner", "process", "department").get(pk=pk)


def score_trend(risk: Risk):
    """(labels, scores, residual scores) of the risk's assessments, oldest first."""
    rows = list(risk.assessments.order_by("assessed_on", "id").values_list("assessed_on", "score", "residual_score"))
    return [f"{d:%Y-%m-%d}" for d, _s, _r in rows], [s for _d, s, _r in rows], [r for _d, _s, r in rows]


def actions_due(user, *, owner=None, until: date | None = None) -> QuerySet[RiskAction]:
    qs = _visible(RiskAction.objects.filter(status=RiskAction.Status.OPEN), user).select_related("risk", "owner")
    if owner is not None:
        qs = qs.filter(owner=owner)
    if until is not None:
        qs = qs.filter(due_date__lte=until)
    return qs.order_by("due_date", "id")


def process_risk_weights(subjects: dict[str, list[int]]) -> dict[tuple[str, int], tuple[int, str]]:
    """For the audit programme (qms.weights): per process, the points its
    highest open risk adds, with the reason; one query."""
    ids = subjects.get("process") or []
    if not ids:
        return {}
    scale = RiskScale.current()
    rows = (Risk.objects.open().filter(kind=Risk.Kind.RISK, process_id__in=ids).values("process_id")
            .annotate(top=Max("score")).values_list("process_id", "top"))
    out = {}
    for pk, top in rows:
        band = scale.band_for(top)
        points = band.rank * 2 if band else 0  # low 0, medium 2, high 4 (or more bands, more points)
        out[("process", pk)] = (points, f"risk score {top} ({band.name.lower() if band else '?'})")
    return out


# ------------------------------------------------------------------ objectives and KPIs
def objectives_for_user(user) -> QuerySet[Objective]:
    return _visible(Objective.objects.select_related("owner", "process"), user)


def kpis_for_user(user) -> QuerySet[Kpi]:
    return _visible(Kpi.objects.all(), user)


def with_latest(qs: QuerySet[Kpi]) -> QuerySet[Kpi]:
    latest = Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-period_start")
    return qs.annotate(latest_value=Subquery(latest.values("value")[:1]),
                       latest_period=Subquery(latest.values("period_start")[:1]))


def kpi_list(user, objective=None) -> QuerySet[Kpi]:
    qs = kpis_for_user(user).for_list()
    if objective is not None:
        qs = qs.filter(objective=objective)
    return with_latest(qs).order_by("objective_id", "id")


def kpi_series(kpi: Kpi, last: int = 36) -> list[Measurement]:
    rows = list(kpi.measurements.select_related("entered_by").order_by("-period_start")[:last])
    return rows[::-1]


def missing_filter(today: date | None = None) -> Q:
    """KPIs entered by people whose last ended period has no measurement yet."""
    q = Q(pk__in=[])
    for freq in FREQUENCY_MONTHS:
        start, end = last_closed_period(freq, today)
        q |= Q(frequency=freq, start_date__lte=end) & ~Q(Exists(
            Measurement.objects.filter(kpi=OuterRef("pk"), period_start=start)))
    return Q(source=Kpi.Source.ENTERED, is_active=True, objective__status=Objective.Status.ACTIVE) & q


def kpis_missing(user, *, owner=None, today: date | None = None) -> QuerySet[Kpi]:
    qs = kpis_for_user(user).filter(missing_filter(today)).select_related("objective", "owner")
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs.order_by("id")
