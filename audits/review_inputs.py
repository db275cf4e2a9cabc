"""The audits app's parts of the management review input pack (ISO 9001 9.3.2):
nonconformities and corrective actions (c 4) and audit results (c 6). Each
contribution runs a fixed number of aggregate queries for the period."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import override

from audits.models import Audit, Capa, Finding
from qms import charts, dates
from qms.review_inputs import Contribution, Period, Table, contributes

AGE_BANDS = ((30, "up to 30 days"), (90, "31–90 days"), (180, "91–180 days"), (None, "over 180 days"))


def _source_language(choices) -> dict:
    """Choice labels as the source has them: the pack is stored, never in the language of who compiled it."""
    with override(None):
        return {value: str(label) for value, label in choices}


def _age_band(days: int) -> str:
    for limit, label in AGE_BANDS:
        if limit is None or days <= limit:
            return label
    return AGE_BANDS[-1][1]  # pragma: no cover


@contributes("nonconformities")
def nonconformities(period: Period) -> Contribution:
    """Raised and closed in the period, open now with their age, by source, and recurring (clause or process
    with more than one nonconformity in the period)."""
    raised = Capa.objects.filter(**dates.within_days("raised_at", period.start, period.end))
    counts = raised.aggregate(
        raised=Count("id"), major=Count("id", filter=Q(severity=Capa.Severity.MAJOR)),
        closed=Count("id", filter=Q(status=Capa.Status.CLOSED)))
    closed_in_period = Capa.objects.filter(**dates.within_days("closed_at", period.start, period.end))
    closed_agg = closed_in_period.aggregate(n=Count("id"), late=Count("id", filter=Q(closed_at__date__gt=F("due_date"))))
    by_source = dict(raised.values_list("source").annotate(n=Count("id")).values_list("source", "n"))
    today = timezone.localdate()
    open_rows = list(Capa.objects.exclude(status=Capa.Status.CLOSED).filter(**dates.within_days("raised_at", until=period.end))
                     .values_list("raised_at", "due_date"))
    ages = Counter(_age_band((today - timezone.localtime(r).date()).days) for r, _due in open_rows)
    overdue = sum(1 for _r, due in open_rows if due and due < today)
    recurring_clause = list(raised.filter(clause__isnull=False).values("clause__number", "clause__title")
                            .annotate(n=Count("id")).filter(n__gt=1).order_by("-n", "clause__number")[:20])
    recurring_process = list(raised.filter(process__isnull=False).values("process__code", "process__name")
                             .annotate(n=Count("id")).filter(n__gt=1).order_by("-n", "process__code")[:20])
    source_labels = _source_language(Capa.Source.choices)
    out = Contribution(
        "Nonconformities and corrective actions",
        facts=[("Raised in the period", counts["raised"]), ("of which major", counts["major"]),
               ("Closed in the period", closed_agg["n"]), ("Closed after their due date", closed_agg["late"]),
               ("Open now", len(open_rows)), ("Open and overdue", overdue)],
        tables=[
            Table(["Source", "Raised"], [[source_labels.get(s, s), n] for s, n in sorted(by_source.items(),
                                                                                        key=lambda kv: -kv[1])],
                  caption="Raised in the period by source"),
            Table(["Age", "Open"], [[label, ages.get(label, 0)] for _l, label in AGE_BANDS],
                  caption="Open nonconformities by age"),
            Table(["Clause or process", "Nonconformities"],
                  [[f"{r['clause__number']} {r['clause__title']}", r["n"]] for r in recurring_clause]
                  + [[f"{r['process__code']} {r['process__name']}", r["n"]] for r in recurring_process],
                  caption="Recurring: more than one nonconformity in the period"),
        ],
    )
    if by_source:
        labels = [source_labels.get(s, s) for s in by_source]
        out.charts.append(charts.bars("Nonconformities raised by source", labels, {"Raised": list(by_source.values())}))
    return out


@contributes("audit_results")
def audit_results(period: Period) -> Contribution:
    """Audits held in the period and their findings by type and clause."""
    audits = Audit.objects.filter(**dates.within_days("planned_start", period.start, period.end))
    by_type = dict(audits.values_list("audit_type").annotate(n=Count("id")).values_list("audit_type", "n"))
    done = audits.filter(status__in=[Audit.Status.REPORTED, Audit.Status.CLOSED]).count()
    findings = Finding.objects.filter(audit__in=audits)
    by_kind = dict(findings.values_list("finding_type").annotate(n=Count("id")).values_list("finding_type", "n"))
    by_clause = list(findings.values("clause__number", "clause__title", "finding_type").annotate(n=Count("id"))
                     .order_by("clause__sort_key", "finding_type"))
    kinds = list(Finding.Type.values)
    kind_labels = _source_language(Finding.Type.choices)
    grid: dict[str, dict[str, int]] = {}
    for r in by_clause:
        grid.setdefault(f"{r['clause__number']} {r['clause__title']}", {})[r["finding_type"]] = r["n"]
    type_labels = _source_language(Audit.Type.choices)
    out = Contribution(
        "Audit results",
        facts=[(f"{type_labels[t]} audits", by_type.get(t, 0)) for t in Audit.Type.values]
        + [("Audits reported or closed", done)]
        + [(kind_labels[k] + "s", by_kind.get(k, 0)) for k in kinds],
        tables=[Table(["Clause"] + [kind_labels[k] for k in kinds],
                      [[clause] + [row.get(k, 0) for k in kinds] for clause, row in grid.items()],
                      caption="Findings by clause and class")],
    )
    if by_kind:
        out.charts.append(charts.bars("Findings by class", [kind_labels[k] for k in kinds],
                                      {"Findings": [by_kind.get(k, 0) for k in kinds]}))
    return out
