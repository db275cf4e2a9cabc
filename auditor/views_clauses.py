"""/clauses/: the ISO 9001 readiness map (quality manager, internal auditors),
the clause catalogue (everyone; an external auditor sees the clauses in scope),
and each clause's evidence with click-through."""

from datetime import timedelta

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from auditor import readiness
from auditor.scope import clause_allowed, restrict, scope_for
from qms import jobs, permissions
from qms.models import Clause
from qms.rules import allowed, require


def _visible_clauses(user):
    clauses = Clause.objects.all()
    scope = scope_for(user)
    if scope is not None:
        # A clause in scope, and the clauses above it so the tree still reads.
        numbers = set(Clause.objects.filter(pk__in=scope.clause_ids).values_list("number", flat=True))
        keep = {a for n in numbers for a in readiness._ancestors(n)}
        clauses = clauses.filter(number__in=keep)
    return clauses


@require_GET
def clause_list(request):
    user = request.user
    require("qms.view_clauses", user)
    if allowed("auditor.view_readiness", user):
        rows = readiness.readiness()
        show = request.GET.get("status", "")
        shown = [r for r in rows if r.status == show] if show in (readiness.COVERED, readiness.STALE, readiness.GAP) else rows
        return render(
            request, "auditor/readiness_map.html",
            {"rows": shown, "summary": readiness.summary(rows), "show": show,
             "filters": [("", "All"), (readiness.GAP, "Gaps"), (readiness.STALE, "Stale"), (readiness.COVERED, "Covered")]},
        )
    return render(request, "qms/clause_list.html", {"clauses": _visible_clauses(user)})


@require_GET
def clause_detail(request, number):
    from audits.models import Audit, Capa, Finding
    from documents.models import Document
    from records.models import Record, RecordType

    user = request.user
    clause = get_object_or_404(Clause, number=number)
    require("qms.view_clauses", user)
    if not clause_allowed(user, clause) and not clause.children.exists():
        raise Http404("This clause is outside your audit scope.")
    tree = Q(number=number) | Q(number__startswith=number + ".")
    clause_ids = list(Clause.objects.filter(tree).values_list("pk", flat=True))
    scope = scope_for(user)
    if scope is not None:
        clause_ids = [c for c in clause_ids if c in scope.clause_ids]

    documents = restrict(
        Document.objects.filter(clauses__in=clause_ids, effective_revision__isnull=False)
        .select_related("doc_type", "owner", "effective_revision")
        .only("number", "title", "next_review_date", "doc_type__code", "owner__full_name", "owner__username",
              "effective_revision__label", "effective_revision__effective_date")
        .distinct(),
        user,
    )
    since = timezone.now() - timedelta(days=readiness.RECORDS_WINDOW_DAYS)
    record_types = (
        RecordType.objects.filter(clauses__in=clause_ids)
        .annotate(recent=Count("records", filter=Q(records__status=Record.Status.SUBMITTED, records__submitted_at__gte=since)))
        .only("code", "name")
        .distinct()
    )
    context = {
        "clause": clause,
        "children": _visible_clauses(user).filter(parent=clause),
        "documents": documents,
        "record_types": record_types,
        "today": timezone.localdate(),
        "show_audits": permissions.can_read_everything(user),
    }
    if context["show_audits"]:
        context["audits"] = (
            restrict(Audit.objects.filter(criteria_clauses__in=clause_ids), user, clauses="criteria_clauses", process="processes")
            .only("number", "title", "status", "planned_start").distinct().order_by("-planned_start")[:20]
        )
        context["findings"] = (
            restrict(Finding.objects.filter(clause__in=clause_ids), user, clauses="clause", process="process")
            .select_related("audit").only("seq", "finding_type", "status", "statement", "audit__number", "audit_id")
            .order_by("-created_at")[:20]
        )
        context["capas"] = (
            restrict(Capa.objects.filter(clause__in=clause_ids), user, clauses="clause", process="process")
            .only("number", "title", "status", "due_date").order_by("-raised_at")[:20]
        )
    return render(request, "auditor/clause_detail.html", context)


@require_POST
def readiness_pdf(request):
    require("auditor.print_readiness", request.user)
    job = jobs.request_job(kind="readiness_pdf", actor=request.user)
    return redirect(job)
