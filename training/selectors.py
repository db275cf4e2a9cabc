"""Reads for competence and training, cut to what the user may see (qms.scope).

The training matrix page is a fixed handful of queries whatever its size: one
aggregate for the column counts (which also decides the columns), the page of
people, and one statement for the page's cells (training/matrix.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.utils import timezone, translation

from qms import scope
from qms.models import Department
from training import matrix
from training.models import (
    Assignment,
    Competence,
    JobRole,
    Person,
    RecordTypeQualification,
    Requirement,
    TrainingRecord,
)

PEOPLE_PER_PAGE = 50
COLUMNS_PER_PAGE = 40


def competences_for_user(user):
    return scope.narrow(Competence.objects.all(), user)


def roles_for_user(user):
    return scope.narrow(JobRole.objects.select_related("department"), user)


def people_for_user(user):
    return scope.narrow(Person.objects.select_related("department", "user"), user)


def records_for_user(user):
    """Training records the user may read: all (within scope) for the QM and auditors, else their own."""
    from qms.permissions import can_read_everything

    qs = TrainingRecord.objects.select_related("person", "person__department", "competence", "trainer")
    if can_read_everything(user):
        return scope.narrow(qs, user)
    return qs.filter(Q(trainer=user) | Q(person__user=user) | Q(created_by=user))


# ------------------------------------------------------------------ the matrix
@dataclass
class Filters:
    department_id: int | None = None
    role_id: int | None = None
    search: str = ""

    def scope(self, **extra) -> matrix.Scope:
        return matrix.Scope(department_id=self.department_id, role_id=self.role_id, search=self.search, **extra)

    def query(self) -> dict:
        return {k: v for k, v in (("department", self.department_id), ("role", self.role_id), ("q", self.search)) if v}


@dataclass
class Row:
    person: Person
    cells: list
    counts: matrix.Counts


@dataclass
class MatrixPage:
    filters: Filters
    people: object  # a Page of Person
    columns: list  # competences on this column page
    column_counts: list  # matrix.Counts per column
    rows: list[Row]
    col_page: int
    col_pages: int
    total_columns: int
    totals: matrix.Counts = field(default_factory=matrix.Counts)


def _people(user, filters: Filters):
    qs = people_for_user(user).filter(is_active=True)
    if filters.department_id:
        qs = qs.filter(department_id=filters.department_id)
    if filters.role_id:
        qs = qs.filter(assignments__role_id=filters.role_id)
    if filters.search:
        qs = qs.filter(name__icontains=filters.search)
    return qs.order_by("name", "id")


def _visible_competence_ids(user) -> set[int] | None:
    """None: every competence (the user is not limited to part of the system)."""
    if not scope.limited(user):
        return None
    return set(competences_for_user(user).values_list("pk", flat=True))


def _required_competences(user, filters: Filters):
    """The competences some filtered person's role requires: the matrix's columns (one query)."""
    roles = Assignment.objects.filter(person__in=_people(user, filters).values("pk"), role__is_active=True)
    reqs = Requirement.objects.filter(role_id__in=roles.values("role_id"))
    if filters.role_id:
        reqs = reqs.filter(role_id=filters.role_id)
    qs = competences_for_user(user).filter(is_active=True, pk__in=reqs.values("competence_id"))
    return qs.only("code", "name", "kind", "validity_months").order_by("code")


def matrix_page(user, filters: Filters, *, page: int = 1, col_page: int = 1, today: date | None = None,
                per_page: int = PEOPLE_PER_PAGE, cols_per_page: int = COLUMNS_PER_PAGE) -> MatrixPage:
    """One page of people × one page of competence columns; column counts over everyone filtered."""
    today = today or timezone.localdate()
    comps = list(_required_competences(user, filters))
    col_pages = max(1, -(-len(comps) // cols_per_page))
    col_page = min(max(1, col_page), col_pages)
    columns = comps[(col_page - 1) * cols_per_page: col_page * cols_per_page]
    column_ids = tuple(c.pk for c in columns)
    by_comp = (matrix.counts_by_competence(filters.scope(competence_ids=column_ids), today, cached=True)
               if columns else {})
    totals = matrix.Counts()
    for counts in by_comp.values():
        for status, n in counts.items():
            totals.by_status[status] = totals.by_status.get(status, 0) + n
    people = Paginator(_people(user, filters), per_page).get_page(page)
    person_ids = tuple(p.pk for p in people.object_list)
    visible = _visible_competence_ids(user)
    scope_kw = {"competence_ids": tuple(sorted(visible))} if visible is not None else {}
    user_ids = tuple(p.user_id for p in people.object_list if p.user_id)
    page_cells = (matrix.cells(filters.scope(person_ids=person_ids, user_ids=user_ids, **scope_kw), today)
                  if person_ids else {})
    row_counts: dict[int, matrix.Counts] = {}
    for (pid, _), cell in page_cells.items():
        counts = row_counts.setdefault(pid, matrix.Counts())
        counts.by_status[cell.status] = counts.by_status.get(cell.status, 0) + 1
    rows = [Row(person, [page_cells.get((person.pk, c.pk)) for c in columns],
                row_counts.get(person.pk, matrix.Counts())) for person in people.object_list]
    return MatrixPage(filters=filters, people=people, columns=columns,
                      column_counts=[matrix.Counts(dict(by_comp.get(c.pk, {}))) for c in columns], rows=rows,
                      col_page=col_page, col_pages=col_pages, total_columns=len(comps), totals=totals)


def matrix_export_rows(user, filters: Filters, today: date | None = None):
    """Every cell in the filtered matrix, one row per person and competence (for CSV/XLSX/PDF)."""
    today = today or timezone.localdate()
    visible = _visible_competence_ids(user)
    scope_kw = {"competence_ids": tuple(sorted(visible))} if visible is not None else {}
    cells = matrix.cells(filters.scope(**scope_kw), today)
    people = {p.pk: p for p in _people(user, filters).select_related(None).select_related("department")}
    comps = {c.pk: c for c in Competence.objects.filter(pk__in={c for _, c in cells}).only("code", "name")}
    with translation.override("en"):  # exports stay in English, like their column headings
        labels = {status: str(label) for status, label in matrix.LABELS.items()}
    out = []
    for (pid, cid), cell in cells.items():
        p, c = people.get(pid), comps.get(cid)
        if p is None or c is None:
            continue
        out.append([p.name, p.employee_number, p.department.code, c.code, c.name, labels[cell.status],
                    cell.acquired_on, cell.expires_on])
    out.sort(key=lambda r: (r[0], r[3]))
    return out


MATRIX_EXPORT_COLUMNS = ["Person", "Employee number", "Department", "Competence", "Competence name", "Status",
                         "Acquired", "Expires"]


# ------------------------------------------------------------------ one person
def person_qualifications(person: Person, today: date | None = None, user=None) -> list[tuple[Competence, matrix.Cell]]:
    """The person's required competences (those `user` may see) and the state of each."""
    cells = matrix.cells(matrix.Scope(person_ids=(person.pk,)), today)
    qs = competences_for_user(user) if user is not None else Competence.objects.all()
    comps = {c.pk: c for c in qs.filter(pk__in=[c for _, c in cells])}
    return sorted(((comps[c], cell) for (_, c), cell in cells.items() if c in comps), key=lambda t: t[0].code)


def person_for_user(user) -> Person | None:
    if not getattr(user, "pk", None):
        return None
    return Person.objects.filter(user=user, is_active=True).select_related("department").first()


# ------------------------------------------------------------------ expiring qualifications
def expiring(*, person_ids: tuple[int, ...] | None = None, today: date | None = None,
             days: int = matrix.DUE_SOON_DAYS) -> list[tuple[int, int, matrix.Cell]]:
    """(person_id, competence_id, cell) of every required qualification due within `days` or expired."""
    today = today or timezone.localdate()
    cells = matrix.cells(matrix.Scope(person_ids=person_ids), today, statuses=(matrix.DUE_SOON, matrix.EXPIRED))
    limit = today + timedelta(days=days)
    out = [(p, c, cell) for (p, c), cell in cells.items()
           if cell.status in (matrix.DUE_SOON, matrix.EXPIRED) and cell.expires_on and cell.expires_on <= limit]
    return sorted(out, key=lambda t: t[2].expires_on)


# ------------------------------------------------------------------ a document's dependants
def document_dependants(document) -> dict:
    """Which job roles depend on `document` (through their competences) and how many holders are out of date."""
    comps = list(Competence.objects.filter(documents=document, is_active=True).prefetch_related(
        Prefetch("job_roles", queryset=JobRole.objects.filter(is_active=True).annotate(
            holders=Count("assignments", filter=Q(assignments__person__is_active=True))))))
    if not comps:
        return {"competences": [], "roles": [], "out_of_date": 0, "holders": 0}
    counts = matrix.counts_by_competence(matrix.Scope(competence_ids=tuple(c.pk for c in comps)))
    roles = {}
    for c in comps:
        for r in c.job_roles.all():
            roles[r.pk] = r
    per_comp = [(c, matrix.Counts(counts.get(c.pk, {}))) for c in comps]
    return {
        "competences": per_comp,
        "roles": sorted(roles.values(), key=lambda r: r.code),
        "out_of_date": sum(n.get(matrix.OUT_OF_DATE) for _, n in per_comp),
        "holders": sum(n.required for _, n in per_comp),
    }


def reader_ids(document):
    """Users whose active job roles need `document` (the qms.readers hook)."""
    return Person.objects.filter(
        is_active=True, user__isnull=False,
        assignments__role__is_active=True,
        assignments__role__requirements__competence__is_active=True,
        assignments__role__requirements__competence__documents=document,
    ).values("user_id")


# ------------------------------------------------------------------ who may do this?
def qualification_refusal(user, record_type) -> str | None:
    """Why `user` may not submit records of `record_type` (a missing, expired or out-of-date competence), or None."""
    needed = list(RecordTypeQualification.objects.filter(record_type=record_type).select_related("competence"))
    if not needed:
        return None
    names = ", ".join(f"{q.competence.code} {q.competence.name}" for q in needed)
    person = person_for_user(user)
    if person is None:
        return f"Submitting {record_type.name} records needs the competence {names}; you have no training record here."
    cells = matrix.cells(matrix.Scope(person_ids=(person.pk,), competence_ids=tuple(q.competence_id for q in needed),
                                      direct=True))
    problems = []
    for q in needed:
        cell = cells.get((person.pk, q.competence_id))
        status = cell.status if cell else matrix.MISSING
        c = q.competence
        if status == matrix.MISSING:
            problems.append(f"{c.code} {c.name} is missing")
        elif status == matrix.EXPIRED:
            problems.append(f"{c.code} {c.name} expired on {cell.expires_on:%Y-%m-%d}")
        elif status == matrix.OUT_OF_DATE:
            problems.append(f"{c.code} {c.name} is out of date (a document it rests on was revised: "
                            "read and acknowledge the new revision)")
    if not problems:
        return None
    return f"You may not submit {record_type.name} records: your competence " + "; ".join(problems) + "."


def departments():
    return Department.objects.only("code", "name").order_by("code")


def role_choices():
    return JobRole.objects.filter(is_active=True).only("code", "name").order_by("code")
