"""Nonconformities and CAPA at /capa/ (ISO 9001 10.2)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext, override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits import selectors, services
from audits.forms import (
    ActionCompleteForm,
    ActionForm,
    AnalysisForm,
    CapaOwnerForm,
    CapaRaiseForm,
    CorrectionForm,
    VerificationPlanForm,
    VerifyForm,
)
from audits.models import Capa, CapaAction
from qms import bulk
from qms.audit import trail_for
from qms.errors import DomainError
from qms.exports import table_response
from qms.i18n import in_sentence
from qms.rules import allowed, require
from qms.rules import message as rule_message
from qms.signatures import SignatureForm, SignatureRepeated, signatures_for


def _get_capa_for_user(request, pk) -> Capa:
    capa = get_object_or_404(selectors.capa_detail_qs(), pk=pk)
    if not allowed("audits.view_capa", request.user, capa):
        raise Http404("No such CAPA.")
    return capa


@require_GET
def capa_list(request):
    require("audits.view_capas", request.user)
    status = request.GET.get("status", "active")
    source, q = request.GET.get("source", ""), request.GET.get("q", "").strip()
    page = Paginator(selectors.capa_list(request.user, status=status, source=source, q=q), 50).get_page(
        request.GET.get("page"))
    return render(request, "audits/capa_list.html", {
        "page": page, "status": status, "source": source, "q": q, "statuses": Capa.Status.choices,
        "sources": Capa.Source.choices, "can_raise": allowed("audits.raise_capa", request.user),
        "bulk": _bulk_bar(request.user),
    })


@require_GET
def capa_export(request):
    """The CAPA register as CSV or XLSX, with the list's filters and the viewer's visibility."""
    require("audits.view_capas", request.user)
    fmt = "xlsx" if request.GET.get("fmt") == "xlsx" else "csv"
    qs = selectors.capa_list(request.user, status=request.GET.get("status", ""), source=request.GET.get("source", ""),
                             q=request.GET.get("q", "").strip())
    def row(c):
        with override(None):  # exports stay in one language (ISO exports are compared across time)
            return (c.number, c.title, c.get_source_display(), c.get_severity_display(), c.get_status_display(),
                    c.owner.display_name, c.process.name if c.process else "", c.raised_at, c.due_date,
                    c.n_open_actions)

    rows = (row(c) for c in qs.iterator(chunk_size=1000))
    headers = ["Number", "Title", "Source", "Severity", "Status", "Owner", "Process", "Raised", "Due", "Open actions"]
    return table_response(headers, rows, fmt=fmt, basename="capa-register")


@require_GET
def my_actions(request):
    require("audits.view_capas", request.user)
    page = Paginator(selectors.my_capa_actions(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "audits/my_actions.html", {"page": page})


@require_http_methods(["GET", "POST"])
def capa_create(request):
    require("audits.raise_capa", request.user)
    form = CapaRaiseForm(request.POST or None, initial={"owner": request.user}, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            capa = services.capa_raise(actor=request.user, source=d["source"], title=d["title"],
                                       description=d["description"], severity=d["severity"], owner=d["owner"],
                                       process=d["process"], clause=d["clause"], source_record=d["record_number"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("%(number)s raised.") % {"number": capa.number})
            return redirect(capa)
    return render(request, "audits/capa_form.html", {"form": form})


@require_GET
def capa_detail(request, pk):
    capa = _get_capa_for_user(request, pk)
    return render(request, "audits/capa_detail.html", _detail_context(request, capa))


def _detail_context(request, capa, **forms):
    user = request.user
    whys = list(capa.whys) + [""] * (5 - len(capa.whys))
    actions = list(capa.actions.all())
    ctx = {
        "capa": capa, "actions": actions, "similar": selectors.similar_capas(capa),
        "open_actions": any(a.status == CapaAction.Status.OPEN for a in actions),
        "can_edit": allowed("audits.edit_capa", user, capa),
        "can_verify": allowed("audits.verify_capa", user, capa),
        "can_close": allowed("audits.close_capa", user, capa),
        "can_reassign": allowed("audits.reassign_capa", user, capa),
        "owner_form": CapaOwnerForm(),
        "correction_form": CorrectionForm(initial={
            "containment": capa.containment, "containment_date": capa.containment_date,
            "correction": capa.correction, "correction_date": capa.correction_date}),
        "analysis_form": AnalysisForm(initial={
            "ca_needed": "yes" if capa.ca_needed in (True, None) else "no", "ca_justification": capa.ca_justification,
            "root_cause": capa.root_cause, **{f"why{i + 1}": w for i, w in enumerate(whys)}}),
        "action_form": ActionForm(initial={"owner": capa.owner}),
        "plan_form": VerificationPlanForm(initial={"method": capa.effectiveness_method, "due": capa.effectiveness_due}),
        "verify_form": VerifyForm(),
        "sig_form": SignatureForm(user=user, obj=capa), "sig_action": reverse("capa:capa-close", args=[capa.pk]),
        "sig_meaning_label": "Closed", "signatures": signatures_for(capa),
        "entries": trail_for(capa) if allowed("qms.view_trail", user, capa) else None,
    }
    ctx.update(forms)
    return ctx


def _post(request, pk, form_cls, key, call, ok):
    """Bind the form; on valid input call the service; re-render with errors."""
    capa = _get_capa_for_user(request, pk)
    form = form_cls(request.POST)
    if form.is_valid():
        try:
            call(capa, form)
        except DomainError as exc:
            form.add_error(None, exc.message)
            messages.error(request, exc.message)
        else:
            messages.success(request, ok)
            return redirect(capa)
    else:
        messages.error(request, gettext("Not saved: see the form below."))
    return render(request, "audits/capa_detail.html", _detail_context(request, capa, **{key: form}), status=400)


@require_POST
def capa_correction(request, pk):
    return _post(request, pk, CorrectionForm, "correction_form", lambda c, f: services.capa_record_correction(
        actor=request.user, capa=c, **f.cleaned_data), gettext("Containment and correction saved."))


@require_POST
def capa_reassign(request, pk):
    return _post(request, pk, CapaOwnerForm, "owner_form", lambda c, f: services.capa_reassign(
        actor=request.user, capa=c, **f.cleaned_data), gettext("New owner assigned; they have been told."))


@require_POST
def capa_analyse(request, pk):
    return _post(request, pk, AnalysisForm, "analysis_form", lambda c, f: services.capa_analyse(
        actor=request.user, capa=c, ca_needed=f.cleaned_data["ca_needed"],
        justification=f.cleaned_data["ca_justification"], whys=f.whys(), root_cause=f.cleaned_data["root_cause"]),
        gettext("Analysis recorded."))


@require_POST
def capa_action_add(request, pk):
    return _post(request, pk, ActionForm, "action_form", lambda c, f: services.capa_action_add(
        actor=request.user, capa=c, **f.cleaned_data), gettext("Action added."))


@require_POST
def capa_start_actions(request, pk):
    capa = _get_capa_for_user(request, pk)
    try:
        services.capa_start_actions(actor=request.user, capa=capa)
        messages.success(request, gettext("Action plan agreed; actions in progress."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(capa)


@require_POST
def capa_submit_verification(request, pk):
    return _post(request, pk, VerificationPlanForm, "plan_form", lambda c, f: services.capa_submit_verification(
        actor=request.user, capa=c, method=f.cleaned_data["method"], due=f.cleaned_data["due"]),
        gettext("Effectiveness check planned."))


@require_POST
def capa_verify(request, pk):
    return _post(request, pk, VerifyForm, "verify_form", lambda c, f: services.capa_verify(
        actor=request.user, capa=c, result=f.cleaned_data["result"], notes=f.cleaned_data["notes"],
        early_reason=f.cleaned_data["early_reason"]),
        gettext("Effectiveness check recorded."))


@require_POST
def capa_close(request, pk):
    capa = _get_capa_for_user(request, pk)
    form = SignatureForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("shown", [])) or gettext("Enter your user name and password to sign."))
        return redirect(capa)
    try:
        with form.signing():
            services.capa_close(actor=request.user, capa=capa, password=form.cleaned_data["password"],
                                comment=form.cleaned_data["comment"])
    except SignatureRepeated:
        pass  # a double click: the first post closed it; answer as it did
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(capa)
    messages.success(request, gettext("%(number)s closed and signed.") % {"number": capa.number})
    return redirect(capa)


@require_http_methods(["GET", "POST"])
def action_complete(request, pk):
    action = get_object_or_404(CapaAction.objects.select_related("capa", "owner"), pk=pk)
    capa = _get_capa_for_user(request, action.capa_id)
    require("audits.complete_action", request.user, action)
    form = ActionCompleteForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.capa_action_complete(actor=request.user, action=action, note=form.cleaned_data["note"],
                                          evidence=form.evidence_spec())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Action completed."))
            return redirect(capa)
    return render(request, "audits/action_complete.html", {"form": form, "action": action, "capa": capa})


# ------------------------------------------------------------------ bulk: a new owner for the ticked CAPAs (qms/bulk.py)
BULK_ACTIONS = {"owner": gettext_lazy("Assign owner")}


def _bulk_bar(user) -> dict | None:
    from qms.permissions import is_quality_manager

    if not is_quality_manager(user):
        return None  # the rule is the quality manager's; each row is checked again
    return {"form_id": "bulk-capas", "url": reverse("capa:capa-bulk"), "what": "CAPAs",
            "actions": list(BULK_ACTIONS.items())}


def _bulk_selection(request, ids) -> list[Capa]:
    qs = selectors.capas_for(request.user).select_related("owner")
    return bulk.select(qs, ids, refusal=gettext(
        "%(missing)s of the %(count)s selected ids are not CAPAs of the register you can act on here "
        "(unknown, of another register, or outside what you may see). Nothing was done."))


def _bulk_rows(rows):
    for row in rows:
        row.url = row.obj.get_absolute_url()
        row.detail = f"{row.obj.title} (owner {row.obj.owner.display_name}, {in_sentence(row.obj.get_status_display())})"
        row.hash = ""
    return rows


def _bulk_page(request, capas, *, form=None, error="", status=200):
    user = request.user
    rows = _bulk_rows(bulk.preview(capas, lambda c: None if allowed("audits.reassign_capa", user, c)
                                   else rule_message("audits.reassign_capa", user, c)))
    n = len(capas)
    return render(request, "qms/bulk_preview.html", {
        "title": ngettext("Assign an owner to %(count)s CAPA", "Assign an owner to %(count)s CAPAs", n) % {"count": n},
        "intro": gettext("Each CAPA is given the new owner on its own, with the same reason in its trail, and the new "
                         "owner is told; open actions keep their owners. A CAPA that cannot change owner is reported "
                         "without stopping the others."),
        "done_word": "ready", "post_url": reverse("capa:capa-bulk-owner"), "form": form or CapaOwnerForm(),
        "submit_label": gettext("Assign owner"), "action": "owner", "rows": rows, "ready": any(r.done for r in rows),
        "error": error, "row_heading": "CAPA", "back_url": reverse("capa:capa-list"), "back_label": "the register",
        "nothing_message": gettext("None of the selected CAPAs can be given a new owner by you: nothing to do."),
    }, status=status)


@require_GET
def capa_bulk(request):
    """The bulk bar of the register: the page listing what will happen to each ticked CAPA."""
    require("audits.view_capas", request.user)
    if request.GET.get("action", "") not in BULK_ACTIONS:
        return bulk.refused_page(request, bulk.BulkInputError(gettext("Choose one of the bulk actions. Nothing was done.")))
    try:
        capas = _bulk_selection(request, request.GET.getlist("ids"))
    except bulk.BulkInputError as exc:
        return bulk.refused_page(request, exc)
    return _bulk_page(request, capas)


@require_POST
def capa_bulk_owner(request):
    require("audits.view_capas", request.user)
    return bulk.form_post(
        request, CapaOwnerForm(request.POST), select=lambda ids: _bulk_selection(request, ids),
        page=lambda rows, **kw: _bulk_page(request, rows, **kw),
        run=lambda rows, d: services.capas_reassign(actor=request.user, capas=rows, **d),
        done=lambda results: _bulk_done(request, results),
        error=gettext("Nothing was changed: choose the new owner and say why."))


def _bulk_done(request, results):
    return render(request, "qms/bulk_results.html", {
        "title": gettext("Owners assigned"), "rows": _bulk_rows(results), "done_word": "owner assigned", "row_heading": "CAPA",
        "summary": bulk.summary(results, done_word="owner assigned"), "back_url": reverse("capa:capa-list"),
        "back_label": "the register",
    })
