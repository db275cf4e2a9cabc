"""The ISO 9001 readiness map: for every clause, what covers it and how fresh
that evidence is; and the readiness summary for the quality manager.

A clause counts what is linked to it or to any of its sub-clauses (a document
on 7.5.3 also covers 7.5). The number of queries is fixed, whatever the number
of documents, records or audits: a handful of grouped queries, rolled up over
the clause tree in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from qms import evidence as qms_evidence
from qms.models import Clause

COVERED, STALE, GAP = "covered", "stale", "gap"
RECORDS_WINDOW_DAYS = 365
AUDIT_CYCLE_DAYS = 365


@dataclass
class ClauseReadiness:
    clause: Clause
    documents: int = 0
    overdue_reviews: int = 0
    record_types: int = 0
    records_12m: int = 0
    last_audit: date | None = None
    open_findings: int = 0
    open_capas: int = 0
    evidence: list = field(default_factory=list)  # qms.evidence.Evidence from the other apps
    status: str = GAP
    reasons: list[str] = field(default_factory=list)  # English, as exported and in the API
    reasons_shown: list[str] = field(default_factory=list)  # the same, in the reader's language

    @property
    def colour(self) -> str:
        return {COVERED: "success", STALE: "warning", GAP: "danger"}[self.status]


def _ancestors(number: str) -> list[str]:
    """'7.5.3.2' -> ['7.5.3.2', '7.5.3', '7.5', '7']"""
    parts = number.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _rollup_sets(pairs, numbers_by_id) -> dict[str, set]:
    """(clause_id, thing_id) pairs -> {clause number: set of thing ids}, including descendants."""
    out: dict[str, set] = defaultdict(set)
    for clause_id, thing_id in pairs:
        number = numbers_by_id.get(clause_id)
        if number is None or thing_id is None:
            continue
        for n in _ancestors(number):
            out[n].add(thing_id)
    return out


def _rollup_sum(rows, numbers_by_id) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for clause_id, n in rows:
        number = numbers_by_id.get(clause_id)
        if number is None:
            continue
        for a in _ancestors(number):
            out[a] += n
    return out


def readiness(*, today: date | None = None, clauses=None) -> list[ClauseReadiness]:
    from audits.models import Audit, Capa, Finding
    from documents.models import Document
    from records.models import Record, RecordType

    today = today or timezone.localdate()
    if clauses is None:
        clauses = list(Clause.objects.all())
        numbers_by_id = {c.pk: c.number for c in clauses}
    else:
        clauses = list(clauses)
        numbers_by_id = dict(Clause.objects.values_list("pk", "number"))

    # From the link tables, so that a document or record type linked to no clause costs
    # nothing (10,000 unlinked documents are not 10,000 rows); a document overdue for
    # review is known from the same rows.
    doc_links = (Document.clauses.through.objects.filter(document__effective_revision__isnull=False)
                 .values_list("clause_id", "document_id", "document__next_review_date"))
    doc_pairs, overdue_ids = [], set()
    for clause_id, doc_id, next_review in doc_links:
        doc_pairs.append((clause_id, doc_id))
        if next_review is not None and next_review < today:
            overdue_ids.add(doc_id)
    doc_sets = _rollup_sets(doc_pairs, numbers_by_id)

    type_sets = _rollup_sets(RecordType.clauses.through.objects.values_list("clause_id", "recordtype_id"),
                             numbers_by_id)
    since = timezone.now() - timedelta(days=RECORDS_WINDOW_DAYS)
    records_per_type = dict(
        Record.objects.filter(status=Record.Status.SUBMITTED, submitted_at__gte=since)
        .values_list("record_type")
        .annotate(n=Count("pk"))
        .order_by()
    )

    done = Audit.objects.filter(status__in=[Audit.Status.REPORTED, Audit.Status.CLOSED])
    last_audit: dict[str, date] = {}
    for clause_id, last in done.values_list("criteria_clauses").annotate(last=Max("planned_end")).order_by():
        number = numbers_by_id.get(clause_id)
        if number is None or last is None:
            continue
        for n in _ancestors(number):
            if n not in last_audit or last.date() > last_audit[n]:
                last_audit[n] = last.date()

    findings = _rollup_sum(
        Finding.objects.filter(status=Finding.Status.OPEN).values_list("clause").annotate(n=Count("pk")).order_by(),
        numbers_by_id,
    )
    capas = _rollup_sum(
        Capa.objects.exclude(status__in=[Capa.Status.EFFECTIVE, Capa.Status.CLOSED])
        .filter(clause__isnull=False)
        .values_list("clause")
        .annotate(n=Count("pk"))
        .order_by(),
        numbers_by_id,
    )

    contributed: dict[str, list] = defaultdict(list)
    for item in qms_evidence.collect(today):
        for n in _ancestors(item.clause):
            contributed[n].append(item)

    out = []
    for clause in clauses:
        n = clause.number
        docs = doc_sets.get(n, set())
        types = type_sets.get(n, set())
        row = ClauseReadiness(
            clause=clause,
            documents=len(docs),
            overdue_reviews=len(docs & overdue_ids),
            record_types=len(types),
            records_12m=sum(records_per_type.get(t, 0) for t in types),
            last_audit=last_audit.get(n),
            open_findings=findings.get(n, 0),
            open_capas=capas.get(n, 0),
            evidence=contributed.get(n, []),
        )
        _judge(row, today)
        out.append(row)
    return out


def _judge(row: ClauseReadiness, today: date) -> None:
    """Status and reasons. `reasons` stay English (the CSV export and the API
    are stable); `reasons_shown` say the same in the active language."""
    clause = row.clause
    if not (row.documents or row.record_types or row.last_audit or row.evidence):
        row.status, row.reasons, row.reasons_shown = GAP, ["Nothing linked"], [gettext("Nothing linked")]
        return
    gaps, gaps_shown = [], []
    # A register another app keeps (a risk register, objectives...) is documented information too.
    if clause.asks_maintain and not row.documents and not row.evidence:
        gaps.append("No effective document, though the clause asks to maintain one")
        gaps_shown.append(gettext("No effective document, though the clause asks to maintain one"))
    if clause.asks_retain and not row.record_types and not row.evidence:
        gaps.append("No record type, though the clause asks to retain records")
        gaps_shown.append(gettext("No record type, though the clause asks to retain records"))
    if gaps:
        row.status, row.reasons, row.reasons_shown = GAP, gaps, gaps_shown
        return
    stale, shown = [], []
    if row.overdue_reviews:
        stale.append(f"{row.overdue_reviews} document(s) overdue for review")
        shown.append(ngettext("%(count)s document overdue for review", "%(count)s documents overdue for review",
                              row.overdue_reviews) % {"count": row.overdue_reviews})
    if row.record_types and not row.records_12m:
        stale.append("No records in the last 12 months")
        shown.append(gettext("No records in the last 12 months"))
    for e in row.evidence:
        if not e.current:
            stale.append(e.reason or f"{e.label} not current")
            shown.append(e.reason or gettext("%(label)s not current") % {"label": e.label})
    if row.last_audit is None or row.last_audit < today - timedelta(days=AUDIT_CYCLE_DAYS):
        stale.append("Not audited in the current cycle")
        shown.append(gettext("Not audited in the current cycle"))
    row.status, row.reasons, row.reasons_shown = (STALE, stale, shown) if stale else (COVERED, [], [])


@dataclass
class Summary:
    clauses: int
    covered: int
    stale: int
    gaps: int
    overdue_reviews: int
    overdue_capas: int
    audits_not_done: int

    @property
    def covered_share(self) -> float:
        return 100.0 * self.covered / self.clauses if self.clauses else 0.0


def summary(rows: list[ClauseReadiness], *, today: date | None = None) -> Summary:
    from audits.models import Audit, Capa
    from documents.models import Document

    today = today or timezone.localdate()
    counts = defaultdict(int)
    for r in rows:
        counts[r.status] += 1
    return Summary(
        clauses=len(rows),
        covered=counts[COVERED],
        stale=counts[STALE],
        gaps=counts[GAP],
        overdue_reviews=Document.objects.filter(effective_revision__isnull=False, next_review_date__lt=today).count(),
        overdue_capas=Capa.objects.exclude(status__in=[Capa.Status.EFFECTIVE, Capa.Status.CLOSED])
        .filter(due_date__lt=today)
        .count(),
        audits_not_done=Audit.objects.filter(
            Q(status__in=[Audit.Status.PLANNED, Audit.Status.PREPARED]), planned_end__lt=timezone.now()
        ).count(),
    )


EXPORT_HEADERS = ["Clause", "Title", "Status", "Effective documents", "Overdue reviews", "Record types",
                  "Records (12 months)", "Last audit", "Open findings", "Open CAPAs", "Other evidence", "Why"]


def export_rows(rows: list[ClauseReadiness]) -> list[list]:
    """One row per clause, the same numbers the map shows (CSV export and `manage.py readiness`)."""
    return [
        [r.clause.number, r.clause.title, r.status, r.documents, r.overdue_reviews, r.record_types, r.records_12m,
         r.last_audit.isoformat() if r.last_audit else "", r.open_findings, r.open_capas,
         "; ".join(f"{e.label} ({e.count})" for e in r.evidence), "; ".join(r.reasons)]
        for r in rows
    ]


def readiness_for(user, *, today: date | None = None) -> list[ClauseReadiness]:
    """The map for the clauses `user` may see: an external auditor gets the clauses in scope."""
    from auditor.selectors import visible_clauses

    return readiness(today=today, clauses=visible_clauses(user))


def coverage_chart(rows: list[ClauseReadiness]):
    """Covered / stale / gap clauses per clause group (4 … 10), stacked (issue 18.1)."""
    from qms import charts

    groups = sorted({r.clause.number.split(".")[0] for r in rows}, key=lambda g: (len(g), g))
    counts = {(g, s): 0 for g in groups for s in (COVERED, STALE, GAP)}
    for r in rows:
        counts[(r.clause.number.split(".")[0], r.status)] += 1
    return charts.bars("ISO 9001 readiness by clause group", [f"Clause {g}" for g in groups], {
        "Covered": [counts[(g, COVERED)] for g in groups],
        "Stale": [counts[(g, STALE)] for g in groups],
        "Gap": [counts[(g, GAP)] for g in groups],
    }, stacked=True)
