"""Context of the organisation: issues (4.1) and interested parties (4.2)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from planning import selectors, services
from planning.forms import IssueForm, OutcomeForm, PartyForm, ReasonForm
from planning.models import ContextIssue, InterestedParty
from planning.views.common import refuse_into, trail_url
from planning.views.risks import _form_page
from qms.errors import DomainError
from qms.rules import allowed, require

KINDS = {
    "issue": (ContextIssue, IssueForm, services.issue_save, "issue", services.ISSUE_FIELDS, _("context issue")),
    "party": (InterestedParty, PartyForm, services.party_save, "party", services.PARTY_FIELDS, _("interested party")),
}


@require_GET
def context_index(request):
    require("planning.view_context", request.user)
    retired = request.GET.get("retired") == "1"
    issues, parties = selectors.context_lists(request.user, show_retired=retired)
    return render(request, "planning/context.html", {
        "issues": issues, "parties": parties, "retired": retired,
        "can_manage": allowed("planning.manage_context", request.user),
    })


def _get_entry(request, kind, pk):
    qs = selectors.issues_for_user(request.user) if kind == "issue" else selectors.parties_for_user(request.user)
    entry = qs.filter(pk=pk).first()
    if entry is None or not allowed("planning.view_context", request.user, entry):
        raise Http404(gettext("No such context issue.") if kind == "issue" else gettext("No such interested party."))
    return entry


def _detail(request, kind, pk):
    entry = _get_entry(request, kind, pk)
    return render(request, "planning/context_detail.html", {
        "entry": entry, "kind": kind, "label": KINDS[kind][5],
        "risks": selectors.risks_for_user(request.user).filter(**{"issues" if kind == "issue" else "parties": entry})
        .for_list().order_by("-score", "id"),
        "can_edit": allowed("planning.edit_context_entry", request.user, entry),
        "trail_url": trail_url(entry) if allowed("qms.view_trail", request.user, entry) else "",
    })


def _edit(request, kind, pk=None):
    model, form_class, save, arg, fields, label = KINDS[kind]
    entry = _get_entry(request, kind, pk) if pk else None
    require("planning.edit_context_entry" if entry else "planning.manage_context", request.user, entry)
    form = form_class(request.POST or None, instance=entry,
                      initial={"owner": request.user.pk} if entry is None else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(actor=request.user, data={f: form.cleaned_data[f] for f in fields}, **{arg: entry})
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("%(number)s saved.") % {"number": saved.number})
            return redirect(saved)
    back = entry.get_absolute_url() if entry else reverse("planning:context")
    return _form_page(request, title=gettext("Edit %(number)s") % {"number": entry.number} if entry
                      else gettext("New context issue") if kind == "issue" else gettext("New interested party"), form=form, back=back,
                      obj=entry)


def _review(request, kind, pk):
    entry = _get_entry(request, kind, pk)
    require("planning.edit_context_entry", request.user, entry)
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_review(actor=request.user, entry=entry, outcome=form.cleaned_data["outcome"])
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("%(number)s reviewed; next review %(date)s.")
                             % {"number": entry.number, "date": f"{entry.next_review_on:%Y-%m-%d}"})
            return redirect(entry)
    return _form_page(request, title=gettext("Review %(number)s") % {"number": entry.number}, form=form, back=entry.get_absolute_url(), obj=entry,
                      submit=gettext("Record the review"),
                      intro=gettext("A review with no change stamps the entry and sets its next review date."))


def _retire(request, kind, pk):
    entry = _get_entry(request, kind, pk)
    require("planning.edit_context_entry", request.user, entry)
    if entry.status == entry.Status.RETIRED:
        if request.method == "POST":
            try:
                services.entry_reactivate(actor=request.user, entry=entry)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, gettext("%(number)s is active again.") % {"number": entry.number})
        return redirect(entry)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_retire(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            refuse_into(form, exc)
        else:
            messages.success(request, gettext("%(number)s retired.") % {"number": entry.number})
            return redirect(entry)
    return _form_page(request, title=gettext("Retire %(number)s") % {"number": entry.number}, form=form, back=entry.get_absolute_url(), obj=entry,
                      submit=gettext("Retire"))


issue_detail = require_GET(lambda request, pk: _detail(request, "issue", pk))
party_detail = require_GET(lambda request, pk: _detail(request, "party", pk))
issue_create = require_http_methods(["GET", "POST"])(lambda request: _edit(request, "issue"))
party_create = require_http_methods(["GET", "POST"])(lambda request: _edit(request, "party"))
issue_edit = require_http_methods(["GET", "POST"])(lambda request, pk: _edit(request, "issue", pk))
party_edit = require_http_methods(["GET", "POST"])(lambda request, pk: _edit(request, "party", pk))
issue_review = require_http_methods(["GET", "POST"])(lambda request, pk: _review(request, "issue", pk))
party_review = require_http_methods(["GET", "POST"])(lambda request, pk: _review(request, "party", pk))
issue_retire = require_http_methods(["GET", "POST"])(lambda request, pk: _retire(request, "issue", pk))
party_retire = require_http_methods(["GET", "POST"])(lambda request, pk: _retire(request, "party", pk))
