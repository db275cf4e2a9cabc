"""Reads for audits and CAPA: visibility, coverage, proposals, calendar.
Every function runs a fixed number of queries whatever the row count."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from auditor.scope import restrict
from audits.models import (
    Audit,
    AuditProgramme,
    AuditQuestion,
    Capa,
    CapaAction,
    ChecklistItem,
    Finding,
    ProgrammeItem,
)
from qms import permissions


# ------------------------------------------------------------------ visibility
def audits_for(user):
    qs = Audit.objects.all()
    if permissions.can_read_everything(user):
        return restrict(qs, user, clauses="criteria_clauses", process="processes")  # an external auditor's scope
    return qs.filter(Q(lead_auditor=user) | Q(team=user) | Q(auditees=user)).distinct()


def audit_list(user, *, status: str = "", audit_type: str = "", q: str = ""):
    qs = audits_for(user).select_related("lead_auditor").only(
        "number", "title", "audit_type", "status", "planned_start", "planned_end", "site",
        "lead_auditor__full_name", "lead_auditor__username", "lead_auditor__first_name", "lead_auditor__last_name",
    )
    if status:
        qs = qs.filter(status=status)
    if audit_type:
        qs = qs.filter(audit_type=audit_type)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q))
    # A correlated count, computed for the page's rows only (COUNT(*) for the paginator drops it).
    n_findings = Finding.objects.filter(audit=OuterRef("pk")).order_by().values("audit").annotate(n=Count("id")).values("n")
    return qs.annotate(n_findings=Coalesce(Subquery(n_findings), 0)).order_by("-planned_start", "-id")


def audit_detail_qs():
    return Audit.objects.select_related("lead_auditor", "programme", "created_by").prefetch_related(
        "team", "auditees", "processes__department", "departments", "criteria_clauses", "criteria_documents",
    )


def capas_for(user):
    qs = Capa.objects.all()
    if permissions.can_read_everything(user):
        return restrict(qs, user, clauses="clause", process="process")  # an external auditor's scope
    return qs.filter(Q(owner=user) | Q(raised_by=user) | Q(actions__owner=user)).distinct()


def capa_list(user, *, status: str = "", source: str = "", q: str = ""):
    qs = capas_for(user).select_related("owner", "process").only(
        "number", "title", "source", "severity", "status", "due_date", "raised_at",
        "owner__full_name", "owner__username", "owner__first_name", "owner__last_name", "process__name",
    )
    if status == "active":
        qs = qs.exclude(status=Capa.Status.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q))
    n_open = (CapaAction.objects.filter(capa=OuterRef("pk"), status=CapaAction.Status.OPEN).order_by()
              .values("capa").annotate(n=Count("id")).values("n"))
    return qs.annotate(n_open_actions=Coalesce(Subquery(n_open), 0)).order_by("-raised_at", "-id")


def capa_detail_qs():
    return Capa.objects.select_related(
        "owner", "raised_by", "process", "clause", "finding__audit", "source_record", "verified_by",
    ).prefetch_related(
        Prefetch("actions", queryset=CapaAction.objects.select_related("owner", "completed_by").prefetch_related(
            "evidence__revision__document", "evidence__record"))
    )


def similar_capas(capa: Capa, limit: int = 10):
    """Earlier nonconformities on the same clause or process (ISO 9001 10.2.1 b 3)."""
    cond = Q()
    if capa.clause_id:
        cond |= Q(clause_id=capa.clause_id)
    if capa.process_id:
        cond |= Q(process_id=capa.process_id)
    if not cond:
        return Capa.objects.none()
    return (Capa.objects.filter(cond, raised_at__lt=capa.raised_at).exclude(pk=capa.pk)
            .select_related("clause", "process").only("number", "title", "status", "raised_at", "clause__number",
                                                      "clause__title", "process__name")
            .order_by("-raised_at")[:limit])


# ------------------------------------------------------------------ question library
def question_library(*, clause=None, q: str = "", show: str = "active"):
    """Library questions in clause order, each with the number of checklist
    items made from it (a correlated count for the page's rows only)."""
    qs = AuditQuestion.objects.select_related("clause")
    if clause is not None:
        qs = qs.filter(clause=clause)
    if q:
        qs = qs.filter(Q(text__icontains=q) | Q(guidance__icontains=q))
    if show == "active":
        qs = qs.filter(is_active=True)
    elif show == "inactive":
        qs = qs.filter(is_active=False)
    uses = ChecklistItem.objects.filter(library_question=OuterRef("pk")).order_by().values(
        "library_question").annotate(n=Count("id")).values("n")
    return qs.annotate(n_uses=Coalesce(Subquery(uses), 0)).order_by("clause__sort_key", "position", "id")


def library_choices(audit: Audit):
    """What an audit's checklist may take from the library: the active
    questions of its criteria clauses and their sub-clauses."""
    return AuditQuestion.objects.active().under(audit.criteria_clauses.all()).select_related(
        "clause").order_by("clause__sort_key", "position", "id")


# ------------------------------------------------------------------ coverage and proposals
def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def programme_months(programme: AuditProgramme) -> list[date]:
    out, d = [], programme.period_start.replace(day=1)
    while d <= programme.period_end:
        out.append(d)
        d = add_months(d, 1)
    return out


@dataclass
class Cell:
    month: date
    states: list[tuple[str, str]] = field(default_factory=list)  # (state, audit number)
    due: bool = False
    overdue: bool = False


@dataclass
class CoverageRow:
    item: ProgrammeItem
    label: str
    cells: list[Cell]
    audits: list[tuple[date, str, bool, int]]  # (date, number, done, audit id)
    last_done: date | None
    next_due: date
    never: bool
    overdue: bool
    findings: int
    nc_findings: int
    open_capas: int

    @property
    def weight(self) -> int:
        high = 2 if self.item.risk == ProgrammeItem.Risk.HIGH else 0
        return 1 + high + 2 * self.nc_findings + (self.findings - self.nc_findings) + 3 * self.open_capas


def coverage(programme: AuditProgramme, today: date | None = None) -> list[CoverageRow]:
    """Process or clause × month: planned, done, overdue, never audited in the
    cycle, with previous findings and open CAPAs per row."""
    today = today or timezone.localdate()
    items = list(programme.items.select_related("process", "department", "clause").order_by("id"))
    months = programme_months(programme)
    pids = [i.process_id for i in items if i.process_id]
    dids = [i.department_id for i in items if i.department_id]
    cids = [i.clause_id for i in items if i.clause_id]
    end = datetime.combine(programme.period_end + timedelta(days=1), datetime.min.time(), tzinfo=timezone.get_current_timezone())
    # Audits older than one cycle before the period cannot change what is due in it.
    since = datetime.combine(add_months(programme.period_start, -max([i.frequency_months for i in items] or [12])),
                             datetime.min.time(), tzinfo=timezone.get_current_timezone())
    window = {"audit__planned_start__lt": end, "audit__planned_start__gte": since}
    cols = ("audit_id", "audit__number", "audit__planned_start__date", "audit__status")
    sources = [
        (pids, "p", Audit.processes.through.objects.filter(process_id__in=pids, **window)
         .values_list("process_id", *cols)),
        (cids, "c", Audit.criteria_clauses.through.objects.filter(clause_id__in=cids, **window)
         .values_list("clause_id", *cols)),
        # A department is covered by audits naming it or auditing one of its processes.
        (dids, "d", Audit.departments.through.objects.filter(department_id__in=dids, **window)
         .values_list("department_id", *cols)),
        (dids, "d", Audit.processes.through.objects.filter(process__department_id__in=dids, **window)
         .values_list("process__department_id", *cols)),
    ]
    by_key: dict[tuple[str, int], dict] = defaultdict(dict)
    for ids, kind, rows in sources:
        if not ids:
            continue
        for key, aid, number, start, status in rows:
            done = status in (Audit.Status.REPORTED, Audit.Status.CLOSED)
            by_key[(kind, key)][aid] = (start, number, done, aid)
    nc = Count("id", filter=Q(finding_type__in=Finding.NC_TYPES))
    fp = {r["process_id"]: r for r in Finding.objects.filter(process_id__in=pids).values("process_id").annotate(
        n=Count("id"), nc=nc)} if pids else {}
    fc = {r["clause_id"]: r for r in Finding.objects.filter(clause_id__in=cids).values("clause_id").annotate(
        n=Count("id"), nc=nc)} if cids else {}
    fd = {r["process__department_id"]: r for r in Finding.objects.filter(process__department_id__in=dids)
          .values("process__department_id").annotate(n=Count("id"), nc=nc)} if dids else {}
    unclosed = Capa.objects.exclude(status=Capa.Status.CLOSED)
    cp = dict(unclosed.filter(process_id__in=pids).values("process_id").annotate(n=Count("id"))
              .values_list("process_id", "n")) if pids else {}
    cc = dict(unclosed.filter(clause_id__in=cids).values("clause_id").annotate(n=Count("id"))
              .values_list("clause_id", "n")) if cids else {}
    cd = dict(unclosed.filter(process__department_id__in=dids).values("process__department_id")
              .annotate(n=Count("id")).values_list("process__department_id", "n")) if dids else {}
    first_month = months[0]
    out = []
    for item in items:
        if item.process_id:
            key = ("p", item.process_id)
        elif item.department_id:
            key = ("d", item.department_id)
        else:
            key = ("c", item.clause_id)
        audits = sorted(by_key.get(key, {}).values())
        done_dates = [d for d, _n, done, _a in audits if done]
        last_done = done_dates[-1] if done_dates else None
        next_due = add_months(last_done, item.frequency_months) if last_done else programme.period_start
        by_month: dict[tuple[int, int], list] = defaultdict(list)
        for d, number, done, _aid in audits:
            if first_month <= d:
                by_month[(d.year, d.month)].append(("done" if done else ("overdue" if d < today else "planned"), number))
        cells = []
        for m in months:
            cell = Cell(month=m, states=by_month.get((m.year, m.month), []))
            if (next_due.year, next_due.month) == (m.year, m.month) and not cell.states:
                cell.due = True
                cell.overdue = next_due < today
            cells.append(cell)
        in_period = [d for d in done_dates if programme.period_start <= d <= programme.period_end]
        if item.process_id:
            f = fp.get(item.process_id, {})
            open_capas = cp.get(item.process_id, 0)
            label = f"{item.process.code} {item.process.name}"
        elif item.department_id:
            f = fd.get(item.department_id, {})
            open_capas = cd.get(item.department_id, 0)
            label = f"{item.department.code} {item.department.name} (department)"
        else:
            f = fc.get(item.clause_id, {})
            open_capas = cc.get(item.clause_id, 0)
            label = f"{item.clause.number} {item.clause.title}"
        pending = any(not done and d >= today for d, _n, done, _a in audits)
        out.append(CoverageRow(
            item=item, label=label, cells=cells, audits=audits, last_done=last_done, next_due=next_due,
            never=not in_period, overdue=next_due < today and not pending, findings=f.get("n", 0),
            nc_findings=f.get("nc", 0), open_capas=open_capas,
        ))
    return out


@dataclass
class Proposal:
    item: ProgrammeItem
    label: str
    date: date
    weight: int
    reason: str


def proposals(programme: AuditProgramme, today: date | None = None, rows: list[CoverageRow] | None = None) -> list[Proposal]:
    """Audits the programme still needs, one per frequency cycle not covered by
    an audit (planned or done), heaviest first: previous findings and open
    CAPAs raise the weight, so troubled processes come first."""
    today = today or timezone.localdate()
    rows = rows if rows is not None else coverage(programme, today)
    month_start = today.replace(day=1)
    out = []
    for row in rows:
        freq = row.item.frequency_months
        before = [d for d, _n, _done, _a in row.audits if d < programme.period_start]
        during = [d for d, _n, _done, _a in row.audits if programme.period_start <= d <= programme.period_end]
        due = add_months(before[-1], freq) if before else programme.period_start
        due = max(due, programme.period_start)
        while due <= programme.period_end:
            # An audit covers this cycle if it falls before the next one starts, or,
            # once the cycle is already past due, whenever it came (a late audit).
            if during and (during[0] < add_months(due, freq) or due < month_start):
                cursor = during[0]
                during = [d for d in during if d > cursor]
                due = add_months(cursor, freq)
                continue
            when = max(due, month_start)
            if when > programme.period_end:
                break
            reason = f"every {freq} months"
            if row.nc_findings or row.open_capas:
                reason += f"; {row.nc_findings} earlier NC, {row.open_capas} open CAPA"
            if due < today:
                reason += f"; due since {due:%Y-%m-%d}"
            out.append(Proposal(item=row.item, label=row.label, date=when, weight=row.weight, reason=reason))
            due = add_months(when, freq)
    return sorted(out, key=lambda p: (-p.weight, p.date, p.label))


# ------------------------------------------------------------------ calendar
def month_grid(user, year: int, month: int):
    """Weeks of the month, each day with the user's visible audits."""
    tz = timezone.get_current_timezone()
    first = date(year, month, 1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    start = datetime.combine(weeks[0][0], datetime.min.time(), tzinfo=tz)
    end = datetime.combine(weeks[-1][-1] + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    audits = list(audits_for(user).filter(planned_start__lt=end, planned_end__gte=start)
                  .only("number", "title", "status", "planned_start", "planned_end").order_by("planned_start"))
    grid = []
    for week in weeks:
        days = []
        for d in week:
            day_audits = [a for a in audits
                          if timezone.localtime(a.planned_start).date() <= d <= timezone.localtime(a.planned_end).date()]
            days.append({"date": d, "in_month": d.month == month, "audits": day_audits})
        grid.append(days)
    return first, grid
