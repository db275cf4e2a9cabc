"""The import pages for the quality manager: upload, column mapping (records),
dry-run report, run with progress, and the kept report (CSV, JSON)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intake import records_import, selectors, services
from intake.forms import DocumentImportForm, MappingForm, PeopleImportForm, RecordImportForm
from intake.models import ImportRun
from intake.tabular import read_table
from qms import stored_text
from qms.errors import DomainError, PermissionRefused
from qms.exports import table_response
from qms.rules import require
from records.models import RecordType
from records.services import current_form_version

PAGE_SIZE = 50


# What a finished run created (its report's "created" counts, keyed in English), in the reader's words.
CREATED = {"documents": gettext_lazy("documents"), "revisions": gettext_lazy("revisions"),
           "signatures": gettext_lazy("signatures"), "records": gettext_lazy("records"),
           "evidence": gettext_lazy("evidence"), "people": gettext_lazy("people"),
           "invited": gettext_lazy("invited")}


def _run_for(request, pk: int) -> ImportRun:
    require("intake.view_run", request.user)
    return get_object_or_404(ImportRun.objects.select_related("created_by", "job"), pk=pk)


@require_GET
def index(request):
    require("intake.view_run", request.user)
    page = Paginator(selectors.runs(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "intake/index.html", {"page": page})


def _refuse(form, exc: DomainError):
    if isinstance(exc, PermissionRefused):
        raise exc
    form.add_error(None, exc.message)


def _new(request, form_class, kind: str, template: str):
    require("intake.import", request.user)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data.get("files")
        register = form.cleaned_data["register"]
        try:
            run = services.create_run(
                actor=request.user, kind=kind, register_name=register.name, register_data=register.read(),
                files_name=files.name if files else "", files_data=files.read() if files else None,
                record_type=form.cleaned_data.get("record_type"),
            )
        except DomainError as exc:
            _refuse(form, exc)
        else:
            if kind == ImportRun.Kind.RECORDS:
                return redirect("intake:mapping", run.pk)
            return redirect(run)
    return render(request, template, {"form": form})


@require_http_methods(["GET", "POST"])
def new_documents(request):
    return _new(request, DocumentImportForm, ImportRun.Kind.DOCUMENTS, "intake/new_documents.html")


@require_http_methods(["GET", "POST"])
def new_records(request):
    return _new(request, RecordImportForm, ImportRun.Kind.RECORDS, "intake/new_records.html")


@require_http_methods(["GET", "POST"])
def new_people(request):
    return _new(request, PeopleImportForm, ImportRun.Kind.PEOPLE, "intake/new_people.html")


@require_GET
def run_detail(request, pk: int):
    run = _run_for(request, pk)
    rows, total = selectors.report_rows(run)
    return render(request, "intake/run_detail.html", {
        "run": run, "rows": rows, "total": total, "shown": len(rows),
        "summary": (run.report or {}).get("summary", {}), "errors": stored_text.display_list(run.report or {}, "errors"),
        "notices": stored_text.display_list(run.report or {}, "notices"),
        "created": [(n, CREATED.get(k, k)) for k, n in ((run.report or {}).get("created") or {}).items()],
    })


@require_http_methods(["GET", "POST"])
def run_mapping(request, pk: int):
    run = _run_for(request, pk)
    require("intake.import", request.user)
    if run.kind != ImportRun.Kind.RECORDS:
        raise Http404(_("Only record imports have a column mapping."))
    rt = RecordType.objects.filter(code=run.record_type_code).first()
    fv = current_form_version(rt) if rt else None
    if fv is None:
        raise Http404(_("The record type of this import has no form."))
    from intake.services import _read_stored

    headers = read_table(run.register_name, _read_stored(run.register_file)).headers
    form = MappingForm(request.POST or None, headers=headers, targets=records_import.targets(fv), mapping=run.mapping)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_mapping(actor=request.user, run=run, mapping=form.mapping())
        except DomainError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, _("Mapping saved; the dry run was made again."))
            return redirect(run)
    return render(request, "intake/mapping.html", {"run": run, "form": form, "record_type": rt, "form_version": fv})


@require_POST
def run_start(request, pk: int):
    run = _run_for(request, pk)
    try:
        services.start_run(actor=request.user, run=run)
    except PermissionRefused:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The import is running in the background."))
    return redirect(run)


@require_GET
def run_report_csv(request, pk: int):
    run = _run_for(request, pk)
    return table_response(selectors.CSV_HEADERS, selectors.report_csv_rows(run), fmt="csv",
                          basename=f"import-{run.pk}-report")


@require_GET
def run_report_json(request, pk: int):
    run = _run_for(request, pk)
    response = HttpResponse(json.dumps(run.report, indent=1, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-report.json"'
    return response
