"""Audits and CAPA sections of the home dashboard and the daily digest (see
qms.dashboard). Each section runs a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, Capa, CapaAction
from qms import dashboard, permissions
from qms.rules import allowed

SAMPLE = 8
UPCOMING_DAYS = 30


def _upcoming(user, now):
    horizon = now + timedelta(days=UPCOMING_DAYS)
    mine = Audit.objects.filter(Q(lead_auditor=user) | Q(team=user) | Q(auditees=user)).values("pk")
    qs = (Audit.objects.filter(pk__in=mine, planned_end__gte=now, planned_start__lte=horizon)
          .exclude(status__in=[Audit.Status.REPORTED, Audit.Status.CLOSED])
          .only("number", "title", "planned_start", "lead_auditor_id").order_by("planned_start"))
    rows = list(qs[: SAMPLE + 1])
    items = [dashboard.Item(
        label=f"{a.number} {a.title}", url=a.get_absolute_url(),
        meta=f"{timezone.localtime(a.planned_start):%Y-%m-%d %H:%M} · {'lead auditor' if a.lead_auditor_id == user.pk else 'auditor or auditee'}",
    ) for a in rows[:SAMPLE]]
    total = qs.count() if len(rows) > SAMPLE else len(rows)
    return dashboard.Section(key="audits.upcoming", title=f"My audits in the next {UPCOMING_DAYS} days", items=items,
                             total=total, more_url=reverse("audits:calendar"), empty="No audits coming up.")


def _my_actions(user, today):
    qs = (CapaAction.objects.filter(owner=user, status=CapaAction.Status.OPEN).select_related("capa")
          .only("description", "due_date", "capa__number").order_by("due_date", "id"))
    rows = list(qs[: SAMPLE + 1])
    items = [dashboard.Item(label=f"{a.capa.number}: {a.description[:80]}", url=reverse("capa:action-complete", args=[a.pk]),
                            meta=f"due {a.due_date:%Y-%m-%d}", overdue=a.due_date < today) for a in rows[:SAMPLE]]
    total = qs.count() if len(rows) > SAMPLE else len(rows)
    return dashboard.Section(key="capa.my_actions", title="My CAPA actions", items=items, total=total,
                             more_url=reverse("capa:my-actions"), empty="No CAPA actions assigned to you.")


def _effectiveness_due(user, today):
    qs = Capa.objects.filter(status=Capa.Status.VERIFYING).only("number", "title", "effectiveness_due").order_by(
        "effectiveness_due", "id")
    if not permissions.is_quality_manager(user):
        qs = qs.filter(owner=user)
    rows = list(qs[: SAMPLE + 1])
    items = [dashboard.Item(label=f"{c.number} {c.title}", url=c.get_absolute_url(),
                            meta=f"check due {c.effectiveness_due:%Y-%m-%d}" if c.effectiveness_due else "",
                            overdue=bool(c.effectiveness_due and c.effectiveness_due < today)) for c in rows[:SAMPLE]]
    total = qs.count() if len(rows) > SAMPLE else len(rows)
    return dashboard.Section(key="capa.effectiveness_due", title="Effectiveness checks due", items=items, total=total,
                             more_url=reverse("capa:capa-list") + "?status=verifying", empty="No effectiveness checks due.")


def _ageing(now):
    """Open CAPAs by age since raised (ISO 9001 10.2: action without undue delay)."""
    d30, d90 = now - timedelta(days=30), now - timedelta(days=90)
    agg = Capa.objects.exclude(status=Capa.Status.CLOSED).aggregate(
        young=Count("id", filter=Q(raised_at__gte=d30)),
        mid=Count("id", filter=Q(raised_at__lt=d30, raised_at__gte=d90)),
        old=Count("id", filter=Q(raised_at__lt=d90)),
        overdue=Count("id", filter=Q(due_date__lt=now.date())),
    )
    url = reverse("capa:capa-list")
    items = [
        dashboard.Item(label="Open under 30 days", url=url, meta=str(agg["young"])),
        dashboard.Item(label="Open 30–90 days", url=url, meta=str(agg["mid"])),
        dashboard.Item(label="Open over 90 days", url=url, meta=str(agg["old"]), overdue=bool(agg["old"])),
        dashboard.Item(label="Past their due date", url=url, meta=str(agg["overdue"]), overdue=bool(agg["overdue"])),
    ]
    # Only buckets with CAPAs in them: an all-zero section is nothing to say (and no digest).
    items = [item for item in items if item.meta != "0"]
    return dashboard.Section(key="capa.ageing", title="CAPA ageing", items=items, empty="No open CAPAs.",
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
        out.append(_ageing(now))
    return out


