"""Audits and CAPA sections of the home dashboard and the daily digest (see
qms.dashboard). Each section runs a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from audits.models import Audit, Capa, CapaAction
from qms import dashboard, dates, permissions
from qms.rules import allowed

SAMPLE = 8
UPCOMING_DAYS = 30


def _upcoming(user, now):
    horizon = now + timedelta(days=UPCOMING_DAYS)
    mine = Audit.objects.filter(Q(lead_auditor=user) | Q(team=user) | Q(auditees=user)).values("pk")
    qs = (Audit.objects.filter(pk__in=mine, planned_end__gte=now, planned_start__lte=horizon)
          .exclude(status__in=[Audit.Status.REPORTED, Audit.Status.CLOSED])
          .only("number", "title", "planned_start", "lead_auditor_id").order_by("planned_start"))
    rows, total = dashboard.sample(qs, SAMPLE)
    items = [dashboard.Item(
        label=f"{a.number} {a.title}", url=a.get_absolute_url(),
        meta=f"{timezone.localtime(a.planned_start):%Y-%m-%d %H:%M} · "
             + (gettext("lead auditor") if a.lead_auditor_id == user.pk else gettext("auditor or auditee")),
    ) for a in rows]
    return dashboard.Section(key="audits.upcoming", title=ngettext("My audits in the next %(days)s day", "My audits in the next %(days)s days", UPCOMING_DAYS) % {"days": UPCOMING_DAYS},
                             items=items, total=total, more_url=reverse("audits:calendar"), empty=gettext("No audits coming up."))


def _my_actions(user, today):
    qs = (CapaAction.objects.filter(owner=user, status=CapaAction.Status.OPEN).select_related("capa")
          .only("description", "due_date", "capa__number").order_by("due_date", "id"))
    rows, total = dashboard.sample(qs, SAMPLE)
    items = [dashboard.Item(label=f"{a.capa.number}: {a.description[:80]}", url=reverse("capa:action-complete", args=[a.pk]),
                            meta=gettext("due %(date)s") % {"date": f"{a.due_date:%Y-%m-%d}"}, overdue=a.due_date < today) for a in rows]
    return dashboard.Section(key="capa.my_actions", title=gettext("My CAPA actions"), items=items, total=total,
                             more_url=reverse("capa:my-actions"), empty=gettext("No CAPA actions assigned to you."))


def _effectiveness_due(user, today):
    qs = Capa.objects.filter(status=Capa.Status.VERIFYING).only("number", "title", "effectiveness_due").order_by(
        "effectiveness_due", "id")
    if not permissions.is_quality_manager(user):
        qs = qs.filter(owner=user)
    rows, total = dashboard.sample(qs, SAMPLE)
    items = [dashboard.Item(label=f"{c.number} {c.title}", url=c.get_absolute_url(),
                            meta=gettext("check due %(date)s") % {"date": f"{c.effectiveness_due:%Y-%m-%d}"}
                            if c.effectiveness_due else "",
                            overdue=bool(c.effectiveness_due and c.effectiveness_due < today)) for c in rows]
    return dashboard.Section(key="capa.effectiveness_due", title=gettext("Effectiveness checks due"), items=items,
                             total=total, more_url=reverse("capa:capa-list") + "?status=verifying",
                             empty=gettext("No effectiveness checks due."))


def _open_capas() -> dict:
    """Open CAPAs counted once per home page for the ageing card and the two CAPA
    charts (qms.dashboard.shared): one query grouped by source, every age bucket a
    conditional count; the totals are the sums over the sources."""

    def compute():
        now = timezone.now()
        d30, d90 = now - timedelta(days=30), now - timedelta(days=90)
        counts = dict(
            young=Count("id", filter=Q(raised_at__gte=d30)),
            mid=Count("id", filter=Q(raised_at__lt=d30, raised_at__gte=d90)),
            old=Count("id", filter=Q(raised_at__lt=d90)),
            overdue=Count("id", filter=Q(due_date__lt=now.date())),
        )
        for i, (lo, hi, _label) in enumerate(AGE_BUCKETS):
            cond = Q(raised_at__lte=now - timedelta(days=lo))
            if hi is not None:
                cond &= Q(raised_at__gt=now - timedelta(days=hi + 1))
            counts[f"bucket{i}"] = Count("id", filter=cond)
        rows = list(Capa.objects.exclude(status=Capa.Status.CLOSED).values("source")
                    .annotate(n=Count("id"), **counts).order_by())
        out = {name: sum(r[name] for r in rows) for name in counts}
        out["by_source"] = {r["source"]: r["n"] for r in rows}
        return out

    return dashboard.shared("audits.open_capas", compute)


def _ageing():
    """Open CAPAs by age since raised (ISO 9001 10.2: action without undue delay)."""
    agg = _open_capas()
    url = reverse("capa:capa-list")
    items = [
        dashboard.Item(label=gettext("Open under 30 days"), url=url, meta=str(agg["young"])),
        dashboard.Item(label=gettext("Open 30–90 days"), url=url, meta=str(agg["mid"])),
        dashboard.Item(label=gettext("Open over 90 days"), url=url, meta=str(agg["old"]), overdue=bool(agg["old"])),
        dashboard.Item(label=gettext("Past their due date"), url=url, meta=str(agg["overdue"]), overdue=bool(agg["overdue"])),
    ]
    # Only buckets with CAPAs in them: an all-zero section is nothing to say (and no digest).
    items = [item for item in items if item.meta != "0"]
    return dashboard.Section(key="capa.ageing", title=gettext("CAPA ageing"), items=items, empty=gettext("No open CAPAs."),
                             total=agg["young"] + agg["mid"] + agg["old"], more_url=url)


@dashboard.provider(order=30)
def sections(user) -> list[dashboard.Section]:
    if not allowed("audits.view_audits", user):
        return []
    now = timezone.now()
    today = timezone.localdate()
    out = [_upcoming(user, now), _my_actions(user, today)]
    if permissions.is_quality_manager(user) or Capa.objects.filter(owner=user, status=Capa.Status.VERIFYING).exists():
        out.append(_effectiveness_due(user, today))
    if permissions.is_quality_manager(user):
        out.append(_ageing())
    return out




# ------------------------------------------------------------------ charts (qms.dashboard.chart)
AGE_BUCKETS = ((0, 30, gettext_lazy("0–30 days")), (31, 60, gettext_lazy("31–60 days")), (61, 90, gettext_lazy("61–90 days")),
               (91, None, gettext_lazy("over 90 days")))


@dashboard.chart("capa.open_by_age", rule="qms.view_aggregates", order=30, link="/capa/?status=active")
def open_capa_by_age(user):
    from qms import charts

    by_age = _open_capas()
    labels = [str(label) for _, _, label in AGE_BUCKETS]
    return charts.bars(gettext("Open CAPAs by age"), labels,
                       {gettext("Open CAPAs"): [by_age[f"bucket{i}"] for i in range(len(labels))]})


@dashboard.chart("capa.by_source", rule="qms.view_aggregates", order=31, link="/capa/?status=active")
def open_capa_by_source(user):
    from qms import charts

    by_source = _open_capas()["by_source"]
    labels = [str(label) for value, label in Capa.Source.choices]
    return charts.bars(gettext("Open CAPAs by source"), labels,
                       {gettext("Open CAPAs"): [by_source.get(value, 0) for value, _ in Capa.Source.choices]},
                       horizontal=True)


@dashboard.chart("capa.time_to_close", rule="qms.view_aggregates", order=32, link="/capa/?status=closed")
def capa_time_to_close(user):
    from django.db.models import Avg, DurationField, ExpressionWrapper, F
    from django.db.models.functions import TruncMonth

    from qms import charts

    months = charts.months_back(12, timezone.localdate())
    rows = (Capa.objects.filter(**dates.within_days("closed_at", months[0])).annotate(month=TruncMonth("closed_at"))
            .values("month").annotate(took=Avg(ExpressionWrapper(F("closed_at") - F("raised_at"),
                                                                 output_field=DurationField())),
                                      n=Count("id")).order_by())
    found = {(r["month"].date() if hasattr(r["month"], "date") else r["month"]): r for r in rows}
    return charts.line(gettext("Days from raising a CAPA to closing it (mean, per month closed)"),
                       [m.strftime("%Y-%m") for m in months],
                       {gettext("Mean days"): [round(found[m]["took"].total_seconds() / 86400, 1) if m in found else None
                                      for m in months]}, unit="days")


@dashboard.chart("audits.findings_by_class", rule="qms.view_aggregates", order=33, link="/audits/")
def findings_by_class(user):
    from django.db.models.functions import ExtractYear

    from audits.models import Finding
    from qms import charts

    rows = (Finding.objects.annotate(year=ExtractYear("audit__planned_start")).values("year", "finding_type")
            .annotate(n=Count("id")).order_by())
    years = sorted({r["year"] for r in rows})[-5:]
    counts = {(r["year"], r["finding_type"]): r["n"] for r in rows}
    return charts.bars(gettext("Findings by class per audit year"), [str(y) for y in years], {
        str(label): [counts.get((y, value), 0) for y in years] for value, label in Finding.Type.choices
    }, stacked=True)


@dashboard.chart("audits.programme_completion", rule="qms.view_aggregates", order=34, link="/audits/")
def programme_completion(user):
    from audits.models import AuditProgramme
    from qms import charts

    programmes = list(AuditProgramme.objects.order_by("-period_start")[:5].annotate(
        planned=Count("audits"),
        done=Count("audits", filter=Q(audits__status__in=[Audit.Status.REPORTED, Audit.Status.CLOSED])),
    ))[::-1]
    return charts.bars(gettext("Audit programme completion"), [p.title for p in programmes], {
        gettext("Reported or closed"): [p.done for p in programmes],
        gettext("Still to do"): [p.planned - p.done for p in programmes],
    }, stacked=True)
