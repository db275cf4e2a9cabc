"""The "as of a date" point-in-time view (issue 7): GET pages only.

Every page takes `?on=YYYY-MM-DD`; without a valid date it shows the date form
(a future or malformed date is a form error, never a 500). Reads are in
auditor/asof.py; which history is authoritative is explained there.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from auditor import asof
from auditor.scope import restrict
from documents.models import Document, DocumentType
from documents.selectors import render_markdown
from qms import registers
from qms.forms import BootstrapForm
from qms.rules import require
from records.models import Record, RecordType
from records.selectors import rendered_values

PAGE_SIZE = 50


class AsOfForm(BootstrapForm):
    on = forms.DateField(
        label=_("As it stood on (end of day, UTC)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD."), "required": _("Choose a date.")},
    )

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.now().date():
            raise forms.ValidationError(gettext("Choose today or a past date: the future has no history yet."))
        return on


def _require_as_of(user):
    require("auditor.view_as_of", user)


def _date_form(request):
    """(form, date or None). An empty query string is an unbound form (no error yet)."""
    if "on" not in request.GET:
        return AsOfForm(), None
    form = AsOfForm(request.GET)
    return form, (form.cleaned_data["on"] if form.is_valid() else None)


def _text(value) -> str:
    """A search term; PostgreSQL refuses NUL characters in strings, so they go."""
    return (value or "").replace("\x00", "").strip()[:200]


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None  # an id; anything else is ignored


@require_GET
def document_register(request):
    _require_as_of(request.user)
    form, on = _date_form(request)
    context = {"form": form, "on": on, "section": "documents", "types": DocumentType.objects.order_by("code"),
               "type_id": _int(request.GET.get("type")), "q": _text(request.GET.get("q"))}
    if on is not None:
        rows = asof.document_register(request.user, on, doc_type_id=context["type_id"], q=context["q"])
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        in_force = asof.revisions_in_force([row.id for row in page], on)
        for row in page:
            row.in_force = in_force.get(row.id)
        context["page"] = page
    return render(request, "auditor/asof_document_list.html", context, status=400 if form.errors else 200)


@require_GET
def document_detail(request, number):
    _require_as_of(request.user)
    if not Document.objects.filter(number=number, pk__in=asof.visible_document_ids(request.user)).exists():
        raise Http404(gettext("No such document in your view."))  # the scope hook, before any date is chosen
    form, on = _date_form(request)
    then = None
    context = {"form": form, "on": on, "section": "documents", "number": number}
    if on is not None:
        document, then = asof.document_as_of(request.user, number, on)
        if document is None:
            raise Http404(gettext("No such document in your view."))
        context.update(document=document, then=then)
        if then is not None:
            revisions = list(asof.revisions_as_of([document.pk], on, with_content=True))
            in_force = next((r for r in revisions if r.status == "effective"), None)
            acked, pending = asof.acknowledgements_as_of(in_force.id, on) if in_force else ([], [])
            context.update(
                revisions=revisions, in_force=in_force,
                content=render_markdown(in_force.content) if in_force else "",
                signatures=list(asof.signatures_as_of([r.id for r in revisions], on)),
                acknowledged=acked, pending=pending,
            )
    status = 400 if form.errors else (404 if on is not None and then is None else 200)
    return render(request, "auditor/asof_document_detail.html", context, status=status)


@require_GET
def record_register(request):
    _require_as_of(request.user)
    form, on = _date_form(request)
    context = {"form": form, "on": on, "section": "records", "types": restrict(RecordType.objects.order_by("code"), request.user, process=None),
               "type_id": _int(request.GET.get("type")), "q": _text(request.GET.get("q"))}
    if on is not None:
        rows = asof.record_register(request.user, on, record_type_id=context["type_id"], q=context["q"])
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        states = asof.record_states_as_of([r.id for r in page], on)
        for r in page:
            r.then = states.get(r.id)
        context["page"] = page
    return render(request, "auditor/asof_record_list.html", context, status=400 if form.errors else 200)


@require_GET
def record_detail(request, number):
    _require_as_of(request.user)
    if not Record.objects.filter(number=number, pk__in=asof.visible_record_ids(request.user)).exists():
        raise Http404(gettext("No such record in your view."))  # the scope hook, before any date is chosen
    form, on = _date_form(request)
    then = None
    context = {"form": form, "on": on, "section": "records", "number": number}
    if on is not None:
        record, then = asof.record_as_of(request.user, number, on)
        if record is None:
            raise Http404(gettext("No such record in your view."))
        context.update(record=record, then=then)
        if then is not None:
            disposed_now = record.status == record.Status.DISPOSED
            context.update(
                values=[] if disposed_now else rendered_values(record, asof.record_values_as_of(record, on)),
                disposed_now=disposed_now,
                amendments=list(asof.amendments_as_of(record, on)),
                evidence=asof.evidence_as_of(record, on),
            )
    status = 400 if form.errors else (404 if on is not None and then is None else 200)
    return render(request, "auditor/asof_record_detail.html", context, status=status)


@require_GET
def register_as_of(request, slug):
    """A register another app declared (qms.registers), as it stood on the date."""
    _require_as_of(request.user)
    register = registers.get(slug)
    if register is None:
        raise Http404(gettext("No such register."))
    require(register.rule, request.user)
    form, on = _date_form(request)
    context = {"form": form, "on": on, "section": register.slug, "register": register}
    if on is not None:
        page = Paginator(list(register.rows(request.user, on)), PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
    return render(request, "auditor/asof_register.html", context, status=400 if form.errors else 200)
