"""Audits, findings and CAPAs in the one search box (qms.search), through the
same visibility selectors as their pages (rules and the auditor's scope)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from audits import selectors
from audits.models import Evidence, Finding
from qms import scope, search, textract
from qms.models import TextExtraction


@search.provider("audits", "Audits", order=30)
def find_audits(user, q, since, until, limit) -> search.Found:
    qs = selectors.audits_for(user).filter(
        Q(number__icontains=q) | Q(title__icontains=q) | Q(scope__icontains=q) | Q(objectives__icontains=q))
    qs = search.in_range(qs, "planned_start", since, until)
    total, capped = search.counted(qs)
    rows = qs.only("number", "title", "scope", "status", "planned_start").order_by("-planned_start", "-id")[:limit]
    return search.Found(total, [
        search.Hit(title=f"{a.number} {a.title}", url=a.get_absolute_url(), snippet=search.highlight(a.scope, q),
                   when=a.planned_start.date(), meta=a.get_status_display())
        for a in rows
    ], capped)


@search.provider("findings", "Audit findings", order=31)
def find_findings(user, q, since, until, limit) -> search.Found:
    qs = scope.narrow(Finding.objects.filter(audit__in=selectors.audits_for(user).values("pk")), user)
    qs = search.in_range(qs.filter(statement__icontains=q), "created_at", since, until)
    total, capped = search.counted(qs)
    rows = qs.select_related("audit", "clause").only(
        "seq", "statement", "finding_type", "status", "created_at", "audit__number", "clause__number",
    ).order_by("-created_at", "-id")[:limit]
    return search.Found(total, [
        search.Hit(title=str(f), url=f.get_absolute_url(), snippet=search.highlight(f.statement, q),
                   when=f.created_at.date(), meta=f"{f.get_finding_type_display()} · clause {f.clause.number}")
        for f in rows
    ], capped)


@search.provider("capas", "CAPAs", order=32)
def find_capas(user, q, since, until, limit) -> search.Found:
    qs = selectors.capas_for(user).filter(
        Q(number__icontains=q) | Q(title__icontains=q) | Q(description__icontains=q) | Q(root_cause__icontains=q))
    qs = search.in_range(qs, "raised_at", since, until)
    total, capped = search.counted(qs)
    rows = qs.only("number", "title", "description", "status", "raised_at").order_by("-raised_at", "-id")[:limit]
    return search.Found(total, [
        search.Hit(title=f"{c.number} {c.title}", url=c.get_absolute_url(), snippet=search.highlight(c.description, q),
                   when=c.raised_at.date(), meta=c.get_status_display())
        for c in rows
    ], capped)


@search.provider("audit_evidence", "Audit evidence files", order=33)
def find_evidence_files(user, q, since, until, limit) -> search.Found:
    """Uploaded evidence of the audits, findings and CAPA actions the user may see, by
    its name, its note or the text read from it (qms.textract: text layer, DOCX, OCR)."""
    audits = selectors.audits_for(user).values("pk")
    findings = scope.narrow(Finding.objects.filter(audit__in=audits), user).values("pk")
    visible = (Q(checklist_item__audit__in=audits) | Q(finding__in=findings)
               | Q(action__capa__in=selectors.capas_for(user).values("pk")))
    read = TextExtraction.objects.filter(file=OuterRef("file"), status=TextExtraction.Status.DONE, text__icontains=q)
    qs = Evidence.objects.filter(visible, kind=Evidence.Kind.FILE).filter(
        Q(original_name__icontains=q) | Q(note__icontains=q) | Exists(read))
    qs = search.in_range(qs, "added_at", since, until)
    total, capped = search.counted(qs)
    rows = list(qs.select_related("checklist_item__audit", "finding__audit", "action__capa").only(
        "original_name", "note", "file", "added_at", "checklist_item__audit__number", "checklist_item__audit__title",
        "finding__seq", "finding__audit__number", "action__capa__number", "action__capa__title",
    ).order_by("-added_at", "-id")[:limit])
    texts = textract.texts_of([e.file for e in rows])
    hits = []
    for e in rows:
        if e.checklist_item_id:
            owner, meta = e.checklist_item.audit, f"Checklist evidence · {e.checklist_item.audit.number}"
        elif e.finding_id:
            owner, meta = e.finding, f"Finding evidence · {e.finding}"
        else:
            owner, meta = e.action.capa, f"CAPA action evidence · {e.action.capa.number}"
        body = texts.get(e.file, "")
        snippet_of = body if search.highlight(body, q).count("<mark>") else (e.note or e.original_name)
        hits.append(search.Hit(title=e.original_name or "Evidence file", url=owner.get_absolute_url(),
                               snippet=search.highlight(snippet_of, q), when=e.added_at.date(), meta=meta))
    return search.Found(total, hits, capped)
