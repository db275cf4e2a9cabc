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
from django.utils.translation import gettext, ngettext

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
from qms import permissions, scope, weights
from qms.models import Job


# ------------------------------------------------------------------ visibility
def audits_for(user):
    qs = Audit.objects.all()
    if permissions.can_read_everything(user):
        return scope.narrow(qs, user)  # e.g. an external auditor's grant
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


def audit_checklist(audit: Audit) -> list:
    """The audit's questions with their answers and evidence (three queries)."""
    return list(audit.checklist.select_related("clause", "document", "answered_by").prefetch_related(
        "evidence__revision__document", "evidence__record"))


def audit_findings(audit: Audit) -> list[Finding]:
    """The audit's findings with their CAPA and evidence, for its page and its report PDF (three queries)."""
    return list(audit.findings.select_related("clause", "owner", "capa").prefetch_related(
        "evidence__revision__document", "evidence__record"))


def latest_job(kind: str, object_id: int) -> Job | None:
    """The newest PDF job of `kind` for an audit or report (its page shows its state)."""
    return Job.objects.filter(kind=kind, object_id=object_id).order_by("-created_at").first()


def capas_for(user):
    qs = Capa.objects.all()
    if permissions.can_read_everything(user):
        return scope.narrow(qs, user)  # e.g. an external auditor's grant
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


def my_capa_actions(user):
    """The CAPA actions `user` owns, open ones first, soonest due first."""
    return (CapaAction.objects.filter(owner=user).select_related("capa")
            .only("description", "due_date", "status", "capa__number", "capa__title").order_by("status", "due_date"))


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
        return 1 + high + self.history_weight

    @property
    def history_weight(self) -> int:
        """What the subject's previous findings and open CAPAs weigh."""
        return 2 * self.nc_findings + (self.findings - self.nc_findings) + 3 * self.open_capas

    def weight_with(self, risk: tuple[int, str] | None) -> int:
        """The weight when another app rates the subject's risk (qms.weights):
        its points replace the item's own "high risk" flag."""
        if risk is None:
            return self.weight
        return 1 + risk[0] + self.history_weight


def coverage(programme: AuditProgramme, today: date | None = None) -> list[CoverageRow]:
    """Process or clause × month: planned, done, overdue, never audited in the
    cycle, with previous findings and open CAPAs per row. At most eleven
    queries whatever the number of items: the items, then per kind of subject
    its audits (two reads for departments), findings and open CAPAs."""
    today = today or timezone.localdate()
    items = list(programme.items.select_related("process", "department", "clause").order_by("id"))
    months = programme_months(programme)
    ids = _subject_ids(items)
    audits = _audits_by_subject(ids, _audit_window(programme, items))
    findings = _finding_counts(ids)
    open_capas = _open_capa_counts(ids)
    return [
        _coverage_row(programme, item, months, today, audits.get(_subject(item), []),
                      findings.get(_subject(item), (0, 0)), open_capas.get(_subject(item), 0))
        for item in items
    ]


AuditRef = tuple[date, str, bool, int]  # (date, number, done, audit id), as in CoverageRow.audits
Subject = tuple[str, int]  # ("process" | "department" | "clause", id)

# Where findings and CAPAs name each kind of subject; a department's are those of its processes.
_SUBJECT_FIELDS = (("process", "process_id"), ("clause", "clause_id"), ("department", "process__department_id"))


def _subject(item: ProgrammeItem) -> Subject:
    """The one thing an item covers (a check constraint allows exactly one)."""
    if item.process_id:
        return ("process", item.process_id)
    if item.department_id:
        return ("department", item.department_id)
    return ("clause", item.clause_id)


def _subject_label(item: ProgrammeItem) -> str:
    if item.process_id:
        return f"{item.process.code} {item.process.name}"
    if item.department_id:
        return f"{item.department.code} {item.department.name} (department)"
    return f"{item.clause.number} {item.clause.title}"


def _subject_ids(items: list[ProgrammeItem]) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {"process": [], "clause": [], "department": []}
    for item in items:
        kind, pk = _subject(item)
        ids[kind].append(pk)
    return ids


def _audit_window(programme: AuditProgramme, items: list[ProgrammeItem]) -> dict:
    """A filter on audits planned from one (the longest) cycle before the period to its end:
    older audits cannot change what is due in it."""
    tz = timezone.get_current_timezone()
    longest = max([i.frequency_months for i in items] or [12])
    since = datetime.combine(add_months(programme.period_start, -longest), datetime.min.time(), tzinfo=tz)
    end = datetime.combine(programme.period_end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return {"audit__planned_start__lt": end, "audit__planned_start__gte": since}


def _audits_by_subject(ids: dict[str, list[int]], window: dict) -> dict[Subject, list[AuditRef]]:
    """The audits in the window per subject, oldest first, each once."""
    cols = ("audit_id", "audit__number", "audit__planned_start__date", "audit__status")
    sources = [
        ("process", Audit.processes.through.objects.filter(process_id__in=ids["process"], **window)
         .values_list("process_id", *cols)),
        ("clause", Audit.criteria_clauses.through.objects.filter(clause_id__in=ids["clause"], **window)
         .values_list("clause_id", *cols)),
        # A department is covered by audits naming it or auditing one of its processes.
        ("department", Audit.departments.through.objects.filter(department_id__in=ids["department"], **window)
         .values_list("department_id", *cols)),
        ("department", Audit.processes.through.objects.filter(process__department_id__in=ids["department"], **window)
         .values_list("process__department_id", *cols)),
    ]
    found: dict[Subject, dict[int, AuditRef]] = defaultdict(dict)
    for kind, rows in sources:
        if not ids[kind]:
            continue
        for pk, audit_id, number, start, status in rows:
            done = status in (Audit.Status.REPORTED, Audit.Status.CLOSED)
            found[(kind, pk)][audit_id] = (start, number, done, audit_id)
    return {subject: sorted(by_id.values()) for subject, by_id in found.items()}


def _finding_counts(ids: dict[str, list[int]]) -> dict[Subject, tuple[int, int]]:
    """Previous findings per subject: (all, nonconformities)."""
    nc = Count("id", filter=Q(finding_type__in=Finding.NC_TYPES))
    out = {}
    for kind, field_name in _SUBJECT_FIELDS:
        if ids[kind]:
            rows = (Finding.objects.filter(**{f"{field_name}__in": ids[kind]}).values(field_name)
                    .annotate(n=Count("id"), nc=nc).values_list(field_name, "n", "nc"))
            out.update({(kind, pk): (n, n_nc) for pk, n, n_nc in rows})
    return out


def _open_capa_counts(ids: dict[str, list[int]]) -> dict[Subject, int]:
    """CAPAs not closed yet, per subject."""
    unclosed = Capa.objects.exclude(status=Capa.Status.CLOSED)
    out = {}
    for kind, field_name in _SUBJECT_FIELDS:
        if ids[kind]:
            rows = (unclosed.filter(**{f"{field_name}__in": ids[kind]}).values(field_name)
                    .annotate(n=Count("id")).values_list(field_name, "n"))
            out.update({(kind, pk): n for pk, n in rows})
    return out


def _audit_state(when: date, done: bool, today: date) -> str:
    if done:
        return "done"
    return "overdue" if when < today else "planned"


def _month_cells(months: list[date], audits: list[AuditRef], next_due: date, today: date) -> list[Cell]:
    """One cell per month of the period: the audits held or planned in it, or
    "due" when the next audit falls due in an otherwise empty month. Audits
    before the period fall in no month of it."""
    by_month: dict[tuple[int, int], list] = defaultdict(list)
    for when, number, done, _audit_id in audits:
        by_month[(when.year, when.month)].append((_audit_state(when, done, today), number))
    cells = [Cell(month=m, states=by_month.get((m.year, m.month), [])) for m in months]
    for cell in cells:
        if (cell.month.year, cell.month.month) == (next_due.year, next_due.month) and not cell.states:
            cell.due = True
            cell.overdue = next_due < today
    return cells


def _coverage_row(programme: AuditProgramme, item: ProgrammeItem, months: list[date], today: date,
                  audits: list[AuditRef], findings: tuple[int, int], open_capas: int) -> CoverageRow:
    done_dates = [when for when, _n, done, _a in audits if done]
    last_done = done_dates[-1] if done_dates else None
    next_due = add_months(last_done, item.frequency_months) if last_done else programme.period_start
    done_in_period = any(programme.period_start <= when <= programme.period_end for when in done_dates)
    pending = any(not done and when >= today for when, _n, done, _a in audits)
    return CoverageRow(
        item=item, label=_subject_label(item), cells=_month_cells(months, audits, next_due, today), audits=audits,
        last_done=last_done, next_due=next_due, never=not done_in_period, overdue=next_due < today and not pending,
        findings=findings[0], nc_findings=findings[1], open_capas=open_capas,
    )


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
    CAPAs raise the weight, so troubled processes come first; a process's
    risk score (qms.weights, when an app rates it) stands in for the item's
    own "high risk" flag."""
    today = today or timezone.localdate()
    rows = rows if rows is not None else coverage(programme, today)
    month_start = today.replace(day=1)
    # The subjects' risk as another app rates it (the risk register), if one does.
    risk = weights.for_subjects(_subject_ids([row.item for row in rows])) if rows else {}
    out = []
    for row in rows:
        rated = risk.get(_subject(row.item))
        weight = row.weight_with(rated)
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
            reason = ngettext("every %(months)s month", "every %(months)s months", freq) % {"months": freq}
            if row.nc_findings or row.open_capas:
                reason += "; " + gettext("%(nc)s earlier NC, %(capa)s open CAPA") % {
                    "nc": row.nc_findings, "capa": row.open_capas}
            if rated is not None:
                reason += f"; {rated[1]}"
            if due < today:
                reason += "; " + gettext("due since %(date)s") % {"date": f"{due:%Y-%m-%d}"}
            out.append(Proposal(item=row.item, label=row.label, date=when, weight=weight, reason=reason))
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


FEED_FIELDS = ("number", "title", "audit_type", "status", "scope", "site", "is_remote", "planned_start", "planned_end",
               "created_at", "lead_auditor__full_name", "lead_auditor__username", "lead_auditor__email",
               "lead_auditor__first_name", "lead_auditor__last_name")


def feed_audits(user, *, whole_programme: bool = False):
    """The audits of a calendar feed, soonest first: those `user` leads, is on
    the team of or is audited in, or with `whole_programme` every audit; an
    external auditor's scope applies to both."""
    qs = Audit.objects.select_related("lead_auditor").only(*FEED_FIELDS)
    if not whole_programme:
        qs = qs.filter(pk__in=Audit.objects.filter(Q(lead_auditor=user) | Q(team=user) | Q(auditees=user)).values("pk"))
    return scope.narrow(qs, user).order_by("planned_start")


def capas_raised_from(user, obj):
    """The CAPAs another app's object raised (capa_raise(origin=obj)) that ``user`` may see."""
    from django.contrib.contenttypes.models import ContentType

    return capas_for(user).filter(origin_type=ContentType.objects.get_for_model(obj), origin_id=obj.pk)
