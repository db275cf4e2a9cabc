"""Audits, findings and CAPAs in the one search box (qms.search), through the
same visibility selectors as their pages (rules and the auditor's scope)."""

from __future__ import annotations

from django.db.models import Q

from audits import selectors
from audits.models import Finding
from qms import scope, search


@search.provider("audits", "Audits", order=30)
def find_audits(user, q, since, until, limit) -> search.Found:
    qs = selectors.audits_for(user).filter(
        Q(number__icontains=q) | Q(title__icontains=q) | Q(scope__icontains=q) | Q(objectives__icontains=q))
    qs = search.in_range(qs, "planned_start", since, until)
    total = qs.count()
    rows = qs.only("number", "title", "scope", "status", "planned_start").order_by("-planned_start", "-id")[:limit]
    return search.Found(total, [
        search.Hit(title=f"{a.number} {a.title}", url=a.get_absolute_url(), snippet=search.highlight(a.scope, q),
                   when=a.planned_start.date(), meta=a.get_status_display())
        for a in rows
    ])


@search.provider("findings", "Audit findings", order=31)
def find_findings(user, q, since, until, limit) -> search.Found:
    qs = scope.narrow(Finding.objects.filter(audit__in=selectors.audits_for(user).values("pk")), user)
    qs = search.in_range(qs.filter(statement__icontains=q), "created_at", since, until)
    total = qs.count()
    rows = qs.select_related("audit", "clause").only(
        "seq", "statement", "finding_type", "status", "created_at", "audit__number", "clause__number",
    ).order_by("-created_at", "-id")[:limit]
    return search.Found(total, [
        search.Hit(title=str(f), url=f.get_absolute_url(), snippet=search.highlight(f.statement, q),
                   when=f.created_at.date(), meta=f"{f.get_finding_type_display()} · clause {f.clause.number}")
        for f in rows
    ])


@search.provider("capas", "CAPAs", order=32)
def find_capas(user, q, since, until, limit) -> search.Found:
    qs = selectors.capas_for(user).filter(
        Q(number__icontains=q) | Q(title__icontains=q) | Q(description__icontains=q) | Q(root_cause__icontains=q))
    qs = search.in_range(qs, "raised_at", since, until)
    total = qs.count()
    rows = qs.only("number", "title", "description", "status", "raised_at").order_by("-raised_at", "-id")[:limit]
    return search.Found(total, [
        search.Hit(title=f"{c.number} {c.title}", url=c.get_absolute_url(), snippet=search.highlight(c.description, q),
                   when=c.raised_at.date(), meta=c.get_status_display())
        for c in rows
    ])
