"""Reads of the auditor's view: the clause catalogue and each clause's
evidence, within an external auditor's scope (auditor.scope)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from auditor import readiness
from auditor.scope import restrict, scope_for
from qms.models import Clause


def visible_clauses(user) -> QuerySet[Clause]:
    clauses = Clause.objects.all()
    scope = scope_for(user)
    if scope is not None:
        # A clause in scope, and the clauses above it so the tree still reads.
        numbers = set(Clause.objects.filter(pk__in=scope.clause_ids).values_list("number", flat=True))
        keep = {a for n in numbers for a in readiness._ancestors(n)}
        clauses = clauses.filter(number__in=keep)
    return clauses


def clause_tree_ids(user, number: str) -> list[int]:
    """The clause and its sub-clauses, those inside an external auditor's scope."""
    tree = Q(number=number) | Q(number__startswith=number + ".")
    clause_ids = list(Clause.objects.filter(tree).values_list("pk", flat=True))
    scope = scope_for(user)
    if scope is not None:
        clause_ids = [c for c in clause_ids if c in scope.clause_ids]
    return clause_ids


def clause_documents(user, clause_ids: list[int]):
    """Documents in force under the clauses."""
    from documents.models import Document

    return restrict(
        Document.objects.filter(clauses__in=clause_ids, effective_revision__isnull=False)
        .select_related("doc_type", "owner", "effective_revision")
        .only("number", "title", "next_review_date", "doc_type__code", "owner__full_name", "owner__username",
              "effective_revision__label", "effective_revision__effective_date")
        .distinct(),
        user,
    )


def clause_record_types(clause_ids: list[int]):
    """Record types under the clauses, each with its records submitted in the readiness window."""
    from records.models import Record, RecordType

    since = timezone.now() - timedelta(days=readiness.RECORDS_WINDOW_DAYS)
    return (
        RecordType.objects.filter(clauses__in=clause_ids)
        .annotate(recent=Count("records", filter=Q(records__status=Record.Status.SUBMITTED, records__submitted_at__gte=since)))
        .only("code", "name")
        .distinct()
    )


def clause_audit_results(user, clause_ids: list[int]) -> dict:
    """The latest twenty audits against the clauses, findings on them and CAPAs."""
    from audits.models import Audit, Capa, Finding

    return {
        "audits": (
            restrict(Audit.objects.filter(criteria_clauses__in=clause_ids), user, clauses="criteria_clauses", process="processes")
            .only("number", "title", "status", "planned_start").distinct().order_by("-planned_start")[:20]
        ),
        "findings": (
            restrict(Finding.objects.filter(clause__in=clause_ids), user, clauses="clause", process="process")
            .select_related("audit").only("seq", "finding_type", "status", "statement", "audit__number", "audit_id")
            .order_by("-created_at")[:20]
        ),
        "capas": (
            restrict(Capa.objects.filter(clause__in=clause_ids), user, clauses="clause", process="process")
            .only("number", "title", "status", "due_date").order_by("-raised_at")[:20]
        ),
    }


def evidence_requests_for(user):
    """The evidence requests `user` sees: all for the quality manager; otherwise
    those they asked or that are assigned to them (the list page and the API)."""
    from auditor.models import EvidenceRequest
    from qms import permissions

    qs = EvidenceRequest.objects.select_related("requested_by", "assigned_to")
    if not permissions.is_quality_manager(user):
        qs = qs.filter(Q(requested_by=user) | Q(assigned_to=user))
    return qs

