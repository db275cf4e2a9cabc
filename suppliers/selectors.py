"""Reads for the supplier register: lists cut to what the user may see (the
scope hook), the scorecard computed from the QMS, and the register rows for
exports and the as-of view. Each runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from qms import charts, scope
from qms.measures import percent
from suppliers.models import DUE_SOON_DAYS, Delivery, Evaluation, Supplier

S = Supplier.Status
LIST_COLUMNS = ("code", "name", "supplies", "criticality", "status", "next_evaluation_due", "last_score",
                "owner__username", "owner__full_name", "owner__first_name", "owner__last_name")
# Incoming-inspection records name their supplier through a Reference field of this kind.
REFERENCE_KIND = "supplier"


def suppliers_for_user(user) -> QuerySet[Supplier]:
    if not getattr(user, "is_active", False):
        return Supplier.objects.none()
    return scope.narrow(Supplier.objects.all(), user)  # e.g. an external auditor's grant


def supplier_list(user, filters: dict | None = None) -> QuerySet[Supplier]:
    """The register's rows (list columns only), filtered."""
    filters = filters or {}
    qs = suppliers_for_user(user).select_related("owner").only(*LIST_COLUMNS)
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(supplies__icontains=q))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("criticality"):
        qs = qs.filter(criticality=filters["criticality"])
    if filters.get("due"):
        qs = qs.filter(next_evaluation_due__lte=timezone.localdate() + timedelta(days=DUE_SOON_DAYS))
    return qs.order_by("name", "id")


def evaluations_due(user) -> QuerySet[Supplier]:
    """Approved, conditional and suspended suppliers whose re-evaluation is due within DUE_SOON_DAYS."""
    soon = timezone.localdate() + timedelta(days=DUE_SOON_DAYS)
    return (suppliers_for_user(user).filter(status__in=[S.APPROVED, S.CONDITIONAL, S.SUSPENDED],
                                            next_evaluation_due__lte=soon)
            .only("code", "name", "next_evaluation_due").order_by("next_evaluation_due", "id"))


# ------------------------------------------------------------------ scorecard
@dataclass
class Month:
    start: date
    delivered: int = 0
    on_time: int = 0
    capas: int = 0
    inspections: int = 0

    @property
    def on_time_percent(self) -> Decimal | None:
        return percent(self.on_time, self.delivered)


@dataclass
class Scorecard:
    supplier: Supplier
    months: list[Month]
    evaluations: list[Evaluation]
    capas: list = field(default_factory=list)
    inspections: list = field(default_factory=list)
    trend: charts.Chart | None = None
    counts: charts.Chart | None = None

    @property
    def delivered(self) -> int:
        return sum(m.delivered for m in self.months)

    @property
    def on_time_percent(self) -> Decimal | None:
        return percent(sum(m.on_time for m in self.months), self.delivered)


def _month_starts(today: date, n: int) -> list[date]:
    first = today.replace(day=1)
    return [first - relativedelta(months=i) for i in range(n - 1, -1, -1)]


def _aware(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=UTC)


def scorecard(user, supplier: Supplier, *, months: int = 12, today: date | None = None) -> Scorecard:
    """Performance over the last `months` months, from the QMS's own data:
    CAPAs raised from the supplier, incoming-inspection records naming it, and
    on-time delivery entered per month; plus the evaluation scores."""
    from audits.selectors import capas_raised_from
    from records.selectors import records_naming

    today = today or timezone.localdate()
    starts = _month_starts(today, months)
    by_month = {m: Month(m) for m in starts}
    since = starts[0]
    for row in Delivery.objects.filter(supplier=supplier, month__gte=since).values("month", "delivered", "on_time"):
        if row["month"] in by_month:
            by_month[row["month"]].delivered, by_month[row["month"]].on_time = row["delivered"], row["on_time"]
    capas = capas_raised_from(user, supplier)
    for row in (capas.filter(raised_at__gte=_aware(since)).annotate(m=TruncMonth("raised_at", tzinfo=UTC))
                .values("m").annotate(n=Count("id")).order_by()):
        key = row["m"].date() if isinstance(row["m"], datetime) else row["m"]
        if key in by_month:
            by_month[key].capas = row["n"]
    inspections = records_naming(user, REFERENCE_KIND, supplier.code)
    for row in (inspections.filter(created_at__gte=_aware(since)).annotate(m=TruncMonth("created_at", tzinfo=UTC))
                .values("m").annotate(n=Count("id")).order_by()):
        key = row["m"].date() if isinstance(row["m"], datetime) else row["m"]
        if key in by_month:
            by_month[key].inspections = row["n"]
    evaluations = list(supplier.evaluations.select_related("evaluated_by").order_by("-evaluated_on", "-id")[:20])
    card = Scorecard(supplier, [by_month[m] for m in starts], evaluations,
                     capas=list(capas.only("number", "title", "status", "raised_at", "severity")[:20]),
                     inspections=list(inspections[:20]))
    labels = [f"{m:%Y-%m}" for m in starts]
    score_at = {}
    for e in sorted(evaluations, key=lambda e: e.evaluated_on):
        score_at[e.evaluated_on.replace(day=1)] = float(e.score)
    card.trend = charts.line(
        "On-time delivery and evaluation score", labels,
        {"On-time delivery %": [float(m.on_time_percent) if m.on_time_percent is not None else None
                                for m in card.months],
         "Evaluation score": [score_at.get(m) for m in starts]}, unit="%")
    card.counts = charts.bars("Nonconformities and inspections", labels,
                              {"CAPAs raised": [m.capas for m in card.months],
                               "Inspection records": [m.inspections for m in card.months]})
    return card


# ------------------------------------------------------------------ registers
REGISTER_COLUMNS = ["Code", "Name", "Supplies", "Criticality", "Status", "Scope of approval", "Last score",
                    "Next evaluation due"]
APPROVED_COLUMNS = ["Code", "Name", "Supplies", "Scope of approval", "Status", "Criticality", "Approved since",
                    "Next evaluation due"]
EVALUATION_COLUMNS = ["Supplier", "Kind", "Date", "Score", "Decision", "Evaluated by"]


def _end_of(on: date) -> datetime:
    return datetime.combine(on, time.max, tzinfo=UTC)


def _suppliers_as_of(user, on: date | None):
    if on is None:
        return suppliers_for_user(user)
    allowed_ids = suppliers_for_user(user).values("pk")
    return Supplier.history.as_of(_end_of(on)).filter(id__in=allowed_ids)


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def register_rows(user, on: date | None):
    for s in _suppliers_as_of(user, on).order_by("name", "id"):
        yield [s.code, s.name, s.supplies, _label(Supplier.Criticality.choices, s.criticality),
               _label(S.choices, s.status), s.scope_of_approval, s.last_score, s.next_evaluation_due]


def approved_suppliers(user, on: date | None = None):
    """The approved supplier list: approved and conditionally approved suppliers (as of `on`)."""
    return _suppliers_as_of(user, on).filter(status__in=[S.APPROVED, S.CONDITIONAL])


def approved_rows(user, on: date | None):
    for s in approved_suppliers(user, on).order_by("name", "id"):
        yield [s.code, s.name, s.supplies, s.scope_of_approval, _label(S.choices, s.status),
               _label(Supplier.Criticality.choices, s.criticality),
               f"{s.approved_at:%Y-%m-%d}" if s.approved_at else "", s.next_evaluation_due]


def evaluation_rows(user, on: date | None):
    qs = Evaluation.objects.filter(supplier__in=suppliers_for_user(user).values("pk"))
    if on is not None:
        qs = qs.filter(created_at__lte=_end_of(on))
    qs = qs.select_related("supplier", "evaluated_by").only(
        "kind", "evaluated_on", "score", "decision", "supplier__code", "supplier__name",
        "evaluated_by__username", "evaluated_by__full_name", "evaluated_by__first_name", "evaluated_by__last_name")
    for e in qs.order_by("-evaluated_on", "-id"):
        yield [str(e.supplier), e.get_kind_display(), e.evaluated_on, e.score, e.get_decision_display(),
               e.evaluated_by.display_name]


# ------------------------------------------------------------------ review input and readiness
def performance_summary(start: date, end: date) -> dict:
    """Figures for the management review's "external providers' performance" input (9.3.2 c 7)."""
    from django.contrib.contenttypes.models import ContentType

    from audits.models import Capa

    counts = dict(Supplier.objects.values_list("status").annotate(n=Count("id")).order_by())
    deliveries = Delivery.objects.filter(month__gte=start.replace(day=1), month__lte=end).aggregate(
        d=Sum("delivered"), t=Sum("on_time"))
    evaluations = Evaluation.objects.filter(evaluated_on__gte=start, evaluated_on__lte=end)
    ct = ContentType.objects.get_for_model(Supplier)
    capas = Capa.objects.filter(source="supplier", raised_at__gte=_aware(start), raised_at__lte=_end_of(end))
    by_supplier = list(capas.filter(origin_type=ct).values("origin_id", "origin_label").annotate(n=Count("id"))
                       .order_by("-n", "origin_label")[:5])
    return {
        "counts": counts, "delivered": deliveries["d"] or 0, "on_time": deliveries["t"] or 0,
        "evaluations": evaluations.count(), "average_score": _average(evaluations),
        "low_scores": list(evaluations.filter(score__lt=50).select_related("supplier").order_by("score")[:5]),
        "capas": capas.count(), "capas_by_supplier": by_supplier, "overdue": Supplier.objects.filter(
            status__in=[S.APPROVED, S.CONDITIONAL], next_evaluation_due__lt=end).count(),
    }


def _average(evaluations) -> Decimal | None:
    from django.db.models import Avg

    value = evaluations.aggregate(a=Avg("score"))["a"]
    return Decimal(value).quantize(Decimal("0.1")) if value is not None else None


def certificate_lapse(supplier: Supplier, after: date | None) -> date | None:
    """The first day a certificate the supplier relied on at its last evaluation
    runs out: per standard, the latest expiry, if it falls after `after` (the
    evaluation date). A lapsed ISO 9001 certificate is a change that calls for a
    re-evaluation (8.4.1); a renewal (a later expiry, same standard) moves it on,
    and a lapse already known at an evaluation was weighed by it."""
    if after is None:
        return None
    latest = supplier.certificates.values("standard").annotate(until=Max("valid_until")).values_list("until", flat=True)
    return min((until for until in latest if until > after), default=None)
