"""/clauses/: the ISO 9001 readiness map (quality manager, internal auditors),
the clause catalogue (everyone; an external auditor sees the clauses in scope),
and each clause's evidence with click-through."""


from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from auditor import readiness, selectors
from auditor.scope import clause_allowed
from qms import jobs, permissions
from qms.exports import table_response
from qms.models import Clause
from qms.rules import allowed, require


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
            {"rows": shown, "summary": readiness.summary(rows), "show": show, "chart": readiness.coverage_chart(rows),
             "filters": [("", gettext("All")), (readiness.GAP, gettext("Gaps")), (readiness.STALE, gettext("Stale")),
                         (readiness.COVERED, gettext("Covered"))]},
        )
    return render(request, "qms/clause_list.html", {"clauses": selectors.visible_clauses(user)})


@require_GET
def clause_detail(request, number):
    user = request.user
    clause = get_object_or_404(Clause, number=number)
    require("qms.view_clauses", user)
    if not clause_allowed(user, clause) and not clause.children.exists():
        raise Http404(gettext("This clause is outside your audit scope."))
    clause_ids = selectors.clause_tree_ids(user, number)
    context = {
        "clause": clause,
        "children": selectors.visible_clauses(user).filter(parent=clause),
        "documents": selectors.clause_documents(user, clause_ids),
        "record_types": selectors.clause_record_types(clause_ids),
        "today": timezone.localdate(),
        "show_audits": permissions.can_read_everything(user),
    }
    if context["show_audits"]:
        context.update(selectors.clause_audit_results(user, clause_ids))
    return render(request, "auditor/clause_detail.html", context)


@require_POST
def readiness_pdf(request):
    require("auditor.print_readiness", request.user)
    job = jobs.request_job(kind="readiness_pdf", actor=request.user)
    return redirect(job)


@require_GET
def readiness_export(request):
    """/clauses/export/?format=csv|xlsx: one row per clause, within the user's scope."""
    require("auditor.export_readiness", request.user)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    rows = readiness.readiness_for(request.user)
    return table_response(readiness.EXPORT_HEADERS, readiness.export_rows(rows), fmt=fmt, basename="readiness")
