"""Record pages: register, record types and form builder, record form, record
page and its actions. Views are short: permission check, form, service."""

from __future__ import annotations

from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qms import bulk, jobs, scope, search, textract
from qms.audit import trail_for
from qms.concurrency import Stamp, StampField
from qms.errors import DomainError, IllegalTransition
from qms.exports import table_response
from qms.models import Clause
from qms.paging import CappedPaginator
from qms.rules import allowed, require
from qms.rules import message as rule_message
from qms.signatures import (
    BulkSignatureForm,
    Meaning,
    SignatureForm,
    SignatureRepeated,
    content_hash,
    signatures_for,
)
from records import selectors, services, staging
from records.form_rules import RuleFormSet, rules_as_initial
from records.form_rules import describe as describe_rule
from records.forms import (
    AmendmentReasonForm,
    BulkLegalHoldForm,
    FieldDefinitionFormSet,
    LegalHoldForm,
    ReasonForm,
    RecordTypeForm,
    RecordValuesForm,
    RegisterFilterForm,
    build_record_form,
    definitions_as_initial,
)
from records.models import FIELD_TYPES, Evidence, FormVersion, Record, RecordType
from records.rules import check_editable, is_record_verifier
from records.services import RecordValidationError

PAGE_SIZE = 50


# ------------------------------------------------------------------ helpers
def _get_record_for_user(request, number: str) -> Record:
    try:
        record = selectors.record_detail(number)
    except Record.DoesNotExist as exc:
        raise Http404(gettext("No such record.")) from exc
    if not allowed("records.view_record", request.user, record):
        raise Http404(gettext("No such record."))  # do not reveal that it exists
    return record


def _get_type(code: str) -> RecordType:
    return get_object_or_404(RecordType.objects.select_related("form_document"), code=code)


def _errors_to_form(form, exc: RecordValidationError) -> None:
    for key, errors in exc.errors.items():
        for error in errors:
            form.add_error(key if key in form.fields else None, error)


# ------------------------------------------------------------------ register
def _register_filters(request):
    form = RegisterFilterForm(request.GET or None)
    form.fields["clause"].widget.attrs["list"] = "clause-list"
    # The type filter offers (and accepts) only the types inside an external auditor's scope.
    form.fields["type"].queryset = scope.narrow(form.fields["type"].queryset, request.user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, filters


@require_GET
def index(request):
    require("records.view_records", request.user)
    form, filters = _register_filters(request)
    qs = selectors.register(request.user, filters)
    # A search counts its matches up to the search box's cap (qms.search.COUNT_CAP, 1,000), the
    # register up to the registers' (10,000): a common word matches thousands of records, and
    # each one counted is a row read.
    cap = search.COUNT_CAP if filters.get("q") else None
    page = CappedPaginator(qs, PAGE_SIZE, cap=cap).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form, "page": page, "query": query.urlencode(),
        "clauses": Clause.objects.filter(documented_info__in=["retain", "both"]).only("number", "title"),
        "can_create": allowed("records.create_record", request.user),
        "bulk": _bulk_bar(request.user),
    }
    template = "records/record_list_rows.html" if request.htmx else "records/record_list.html"
    return render(request, template, context)


@require_GET
def export(request):
    require("records.export_records", request.user)
    _form, filters = _register_filters(request)
    qs = selectors.register(request.user, filters)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return table_response(selectors.EXPORT_HEADERS, selectors.export_rows(qs), fmt=fmt, basename="records")


@require_GET
def retention_list(request):
    require("records.view_retention", request.user)
    page = Paginator(selectors.past_retention(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "records/record_retention.html", {"page": page, "hide_export": True})


# ------------------------------------------------------------------ bulk actions (qms/bulk.py)
BULK_ACTIONS = {
    "verify": _("Verify (one signature)"),
    "hold": _("Place legal hold"),
    "release": _("Lift legal hold"),
    "csv": _("Export CSV"),
    "xlsx": _("Export XLSX"),
}


def _bulk_bar(user) -> dict | None:
    """The actions this user's register offers on selected rows (the services check each row again)."""
    offered = []
    if is_record_verifier(user) and allowed("records.view_records", user):
        offered.append("verify")
    if allowed("records.set_legal_hold", user):
        offered += ["hold", "release"]
    if allowed("records.export_records", user):
        offered += ["csv", "xlsx"]
    if not offered:
        return None
    return {"form_id": "bulk-records", "url": reverse("records:bulk"), "what": "records",
            "actions": [(a, BULK_ACTIONS[a]) for a in offered]}


def _bulk_selection(request, ids) -> list[Record]:
    """The selected records, as this user may read them (whole rows: the signature covers the values)."""
    qs = selectors.records_for_user(request.user).select_related("record_type", "form_version", "created_by")
    return bulk.select(qs, ids, refusal=gettext(
        "%(missing)s of the %(count)s selected ids are not records of your register you can act on here "
        "(unknown, of another register, or outside what you may see). Nothing was done."))


def _refusal(name: str, user, record) -> str | None:
    return None if allowed(name, user, record) else rule_message(name, user, record)


def _with_links(rows, *, hashes: dict | None = None):
    for row in rows:
        row.url = row.obj.get_absolute_url()
        row.detail = row.obj.record_type.name
        row.hash = (hashes or {}).get(str(row.obj.pk), "") if row.done else ""
    return rows


def _bulk_page(request, *, action, records, sig_form=None, hold_form=None, error="", status=200):
    user = request.user
    if action == "verify":
        rows = bulk.preview(records, lambda r: _refusal("records.verify_record", user, r))
        ready_items = {str(r.obj.pk): r.obj for r in rows if r.done}
        sig_form = sig_form or BulkSignatureForm(user=user, items=ready_items)
        hashes = {k: content_hash(o.signature_content()) for k, o in ready_items.items()}
        context = {
            "title": ngettext("Verify %(count)s record with one signature", "Verify %(count)s records with one signature",
                              len(ready_items)) % {"count": len(ready_items)},
            "intro": gettext("Your one signature below verifies each record listed as ready: each gets its own signature "
                             "row over the content whose SHA-256 is shown. A record that changes before you sign is not "
                             "signed. Open a record to read it first."),
            "done_word": "ready to verify", "show_hash": True, "sig_form": sig_form,
            "sig_action": reverse("records:bulk-verify"), "sig_meaning_label": Meaning.VERIFIED.label,
        }
        rows = _with_links(rows, hashes=hashes)
    else:
        hold = action == "hold"
        rows = _with_links(bulk.preview(records, lambda r: _refusal("records.set_legal_hold", user, r)))
        context = {
            "title": (gettext("Place a legal hold on %(count)s records") if hold
                      else gettext("Lift the legal hold of %(count)s records")) % {"count": len(records)},
            "intro": gettext("The same reason is recorded on each record; each is changed on its own, and a record "
                             "that cannot be changed is reported without stopping the others."),
            "done_word": "ready", "post_url": reverse("records:bulk-hold"),
            "form": hold_form or BulkLegalHoldForm(initial={"legal_hold": "on" if hold else "off"}),
            "submit_label": gettext("Place legal hold") if hold else gettext("Lift legal hold"),
        }
    context.update(action=action, rows=rows, ready=any(r.done for r in rows), error=error, row_heading=gettext("Record"),
                   nothing_message=(gettext("None of the selected records can be ready to verify by you: nothing to do.")
                                    if action == "verify" else
                                    gettext("None of the selected records can be ready by you: nothing to do.")),
                   back_url=reverse("records:index"), back_label=gettext("the register"))
    return render(request, "records/record_bulk.html", context, status=status)


@require_GET
def bulk_start(request):
    """The register's bulk bar: export the selection, or show what a bulk action
    will do (every row, with the reason a row is refused) before anything changes."""
    require("records.view_records", request.user)
    action = request.GET.get("action", "")
    if action not in BULK_ACTIONS:
        return bulk.refused_page(request, bulk.BulkInputError(gettext("Choose one of the bulk actions. Nothing was done.")))
    try:
        records = _bulk_selection(request, request.GET.getlist("ids"))
    except bulk.BulkInputError as exc:
        return bulk.refused_page(request, exc)
    if action in ("csv", "xlsx"):
        require("records.export_records", request.user)
        order = {r.pk: i for i, r in enumerate(records)}
        rows = sorted(selectors.register(request.user, {}).filter(pk__in=order), key=lambda r: order[r.pk])
        return table_response(selectors.EXPORT_HEADERS, selectors.export_rows_of(rows), fmt=action,
                              basename="records-selected")
    return _bulk_page(request, action=action, records=records)


@require_POST
def bulk_verify(request):
    """One signature over the records the signing page listed (its signed stamp
    names them and their hashes): each gets its own Signature row."""
    require("records.view_records", request.user)
    form = BulkSignatureForm(request.POST, user=request.user)
    return bulk.signed_post(
        request, form,
        select=lambda ids: _bulk_selection(request, ids), refused=lambda exc: bulk.refused_page(request, exc),
        page=lambda rows, **kw: _bulk_page(request, action="verify", records=rows, **kw),
        sign=lambda rows: services.records_verify(actor=request.user, records=rows, form=form,
                                                  comment=form.cleaned_data["comment"]),
        done=lambda results: _bulk_results(request, results, title=gettext("Bulk verification"),
                                           done_word="verified and signed"),
        repeated_message=gettext("This signing page was already signed: see the register."), repeated_url="records:index")


@require_POST
def bulk_hold(request):
    require("records.set_legal_hold", request.user)
    action = "release" if request.POST.get("legal_hold") == "off" else "hold"

    def done(results):
        hold = action == "hold"
        return _bulk_results(request, results, title=gettext("Legal hold placed") if hold else gettext("Legal hold lifted"),
                             done_word="held" if hold else "released")

    return bulk.form_post(
        request, BulkLegalHoldForm(request.POST), select=lambda ids: _bulk_selection(request, ids),
        page=lambda rows, form, **kw: _bulk_page(request, action=action, records=rows, hold_form=form, **kw),
        run=lambda rows, d: services.records_set_legal_hold(actor=request.user, records=rows, hold=d["legal_hold"],
                                                            reason=d["reason"]),
        done=done, error=gettext("Nothing was changed: a legal hold change needs a reason."))


def _bulk_results(request, results, *, title, done_word):
    return render(request, "qms/bulk_results.html", {
        "title": title, "rows": _with_links(results), "done_word": done_word, "row_heading": gettext("Record"),
        "summary": bulk.summary(results, done_word=done_word), "back_url": reverse("records:index"),
        "back_label": gettext("the register"),
    })


# ------------------------------------------------------------------ record types
@require_GET
def type_list(request):
    require("records.view_record_types", request.user)
    types = RecordType.objects.prefetch_related("clauses").select_related("form_document")
    if not allowed("records.configure_record_types", request.user):
        types = types.active()
    types = scope.narrow(types, request.user)  # e.g. an external auditor's grant
    return render(request, "records/recordtype_list.html", {"types": types})


@require_GET
def type_detail(request, code):
    require("records.view_record_types", request.user)
    record_type = _get_type(code)
    if not scope.contains(request.user, record_type):
        raise Http404(gettext("No such record type."))
    versions = list(record_type.form_versions.select_related("created_by").order_by("-version"))
    current = versions[0] if versions else None
    return render(request, "records/recordtype_detail.html", {
        "record_type": record_type, "versions": versions, "current": current,
        "rules": [describe_rule(current.fields, r) for r in current.rules] if current else [],
        "form_revision": selectors.current_form_revision(record_type),
        "field_types": dict(FIELD_TYPES), "clauses": record_type.clauses.all(),
    })


@require_http_methods(["GET", "POST"])
def type_edit(request, code=None):
    require("records.configure_record_types", request.user)
    record_type = _get_type(code) if code else RecordType()
    form = RecordTypeForm(request.POST or None, instance=record_type)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.retention_years = form.cleaned_data["retention_years"]
        try:
            services.record_type_save(actor=request.user, record_type=obj, clauses=form.cleaned_data["clauses"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("Record type %(code)s saved.") % {"code": obj.code})
            if code is None:
                return redirect("records:type-fields", code=obj.code)
            return redirect(obj)
    return render(request, "records/recordtype_form.html", {"form": form, "record_type": record_type})


@require_http_methods(["GET", "POST"])
def type_fields(request, code):
    """The form builder: add, remove and reorder typed fields; saving makes a new version."""
    require("records.configure_record_types", request.user)
    record_type = _get_type(code)
    current = services.current_form_version(record_type)
    initial = definitions_as_initial(current.fields if current else [])
    formset = FieldDefinitionFormSet(request.POST or None, initial=initial, prefix="f")
    rule_formset = _rule_formset(request, current)
    note = request.POST.get("note", "")
    if request.method == "POST" and formset.is_valid() and rule_formset.is_valid():
        definitions = formset.definitions()
        rules = rule_formset.resolve(definitions, previous=current.fields if current else [])
        if rules is not None:
            try:
                version = services.form_version_create(
                    actor=request.user, record_type=record_type, fields=definitions, note=note, rules=rules,
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, gettext("Form version %(version)s saved. New records use it; older ones keep theirs.") % {
                    "version": version.version})
                return redirect(record_type)
    return render(request, "records/recordtype_fields.html", {
        "record_type": record_type, "formset": formset, "current": current, "note": note,
        "rule_formset": rule_formset, "field_labels": [d["label"] for d in (current.fields if current else [])],
    })


def _rule_formset(request, current):
    """The builder's cross-field rule rows. A POST without them (an older
    page) keeps the current rules rather than dropping them."""
    initial = rules_as_initial(current.fields, current.rules) if current else []
    data = request.POST if request.method == "POST" and "r-TOTAL_FORMS" in request.POST else None
    if request.method == "POST" and data is None:
        data = {"r-TOTAL_FORMS": str(len(initial)), "r-INITIAL_FORMS": str(len(initial))}
        for i, row in enumerate(initial):
            data.update({f"r-{i}-{k}": v or "" for k, v in row.items()})
    return RuleFormSet(data, initial=initial, prefix="r")


# ------------------------------------------------------------------ creating and editing
@require_GET
def record_new(request):
    require("records.create_record", request.user)
    types = RecordType.objects.active().only("code", "name", "description")
    return render(request, "records/record_new.html", {"types": types})


def _opened(request, record: Record | None):
    """The stamp of what the draft form was opened on (posted), or a fresh one to render."""
    if record is None:
        return None
    if request.method != "POST":
        return Stamp.of(services.editable_content(record))
    return StampField(required=False).clean(request.POST.get("opened"))


def _poll_url(record: Record, opened: Stamp | None) -> str:
    return f"{reverse('records:changed', args=[record.number])}?seen={opened.hash}" if opened else ""


@require_GET
def record_changed(request, number):
    """htmx poll of an open draft or amendment form: a banner when the record changed elsewhere."""
    from qms.signatures import content_hash

    record = _get_record_for_user(request, number)
    if content_hash(services.editable_content(record)) == request.GET.get("seen", ""):
        return HttpResponse("")
    return render(request, "includes/_changed_banner.html", {
        "what": f"Record {record.number}", "reload_url": record.get_absolute_url(),
    })


class _RecordForm(NamedTuple):
    form: RecordValuesForm
    form_version: FormVersion
    saved: Record | None  # the record, when the POST saved it


def _save_record_form(request, *, record_type, record=None) -> _RecordForm:
    """The record form for a new record or a draft; on POST, saved through one
    service, or shown again with its errors and the files it carried."""
    form_version = record.form_version if record else services.current_form_version(record_type)
    if form_version is None:
        raise Http404(gettext("This record type has no form yet."))
    submit = request.POST.get("action") == "submit"
    staged = _kept_staged_files(request, form_version, record_type=record_type, record=record)
    existing = services._existing_file_keys(record) | {s.field_key for s in staged if s.field_key}
    for_draft = request.method == "POST" and not submit  # a blank form still marks what submission requires
    form = build_record_form(form_version, request.POST or None, request.FILES or None,
                             values=record.values if record else None, for_draft=for_draft, existing_files=existing)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.record_save(
                actor=request.user, record_type=record_type, record=record, values=form.json_values(),
                field_files=form.uploaded_files(), evidence=request.FILES.getlist("evidence"), staged=staged,
                opened=_opened(request, record), submit=submit,
            )
        except RecordValidationError as exc:
            _errors_to_form(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, (gettext("Record %(number)s submitted and locked.") if submit
                                      else gettext("Record %(number)s saved as draft.")) % {"number": saved.number})
            return _RecordForm(form, form_version, saved)
    form.staged_files = staged + _stage_new_files(request, form, form_version, record_type=record_type, record=record)
    labels = {d["key"]: d["label"] for d in form_version.fields or []}
    for s in form.staged_files:
        s.field_label = labels.get(s.field_key, "")
    return _RecordForm(form, form_version, None)


def _staging_owner(request, record_type, record) -> dict:
    return {"user": request.user, "session_key": request.session.session_key or "", "record_type": record_type,
            "record": record}


def _kept_staged_files(request, form_version, *, record_type, record) -> list:
    """Files staged by an earlier attempt that the user kept ticked; a file
    chosen again for the same field replaces its staged one."""
    if request.method != "POST":
        return []
    owner = _staging_owner(request, record_type, record)
    seen, kept = set(request.POST.getlist("staged_seen")), set(request.POST.getlist("staged"))
    staging.discard(tokens=seen - kept, **owner)
    staged = staging.pending(tokens=seen & kept, **owner)
    chosen_again = {d["key"] for d in form_version.fields or [] if d["type"] == "file" and request.FILES.get(d["key"])}
    staging.discard(tokens=[str(s.token) for s in staged if s.field_key in chosen_again], **owner)
    return [s for s in staged if s.field_key not in chosen_again]


def _stage_new_files(request, form, form_version, *, record_type, record) -> list:
    """After a refused POST: check and keep the files chosen with it, so they
    show as attached and need not be chosen again."""
    if request.method != "POST" or not request.FILES:
        return []
    file_fields = [d for d in form_version.fields or [] if d["type"] == "file"]
    uploads = [(d["key"], request.FILES[d["key"]]) for d in file_fields if request.FILES.get(d["key"])]
    uploads += [("", f) for f in request.FILES.getlist("evidence")]
    new, errors = staging.stage(uploads=uploads, **_staging_owner(request, record_type, record))
    shown = {str(e) for errs in form.errors.values() for e in errs}
    for key, messages_ in errors.items():
        for message in messages_:
            if message not in shown:  # the service may have said it already
                form.add_error(key if key in form.fields else None, message)
    return new


@require_http_methods(["GET", "POST"])
def record_create(request, code):
    record_type = _get_type(code)
    require("records.create_record", request.user, record_type)
    result = _save_record_form(request, record_type=record_type)
    if result.saved is not None:
        return redirect(result.saved)
    form, form_version = result.form, result.form_version
    return render(request, "records/record_form.html", {
        "form": form, "record_type": record_type, "form_version": form_version, "record": None,
        "form_revision": selectors.current_form_revision(record_type),
    }, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def record_edit(request, number):
    record = _get_record_for_user(request, number)
    try:
        check_editable(record)
    except IllegalTransition as exc:
        if request.method == "POST":
            raise  # the middleware answers 409 with the message; nothing changes
        messages.error(request, exc.message)
        return redirect(record)
    require("records.edit_record", request.user, record)
    try:
        opened = _opened(request, record)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    result = _save_record_form(request, record_type=record.record_type, record=record)
    if result.saved is not None:
        return redirect(result.saved)
    form, form_version = result.form, result.form_version
    return render(request, "records/record_form.html", {
        "form": form, "record_type": record.record_type, "form_version": form_version, "record": record,
        "opened": opened.dumps() if opened else "", "poll_url": _poll_url(record, opened),
        "evidence": record.evidence.all(), "form_revision": selectors.current_form_revision(record.record_type),
    }, status=400 if request.method == "POST" else 200)


@require_POST
def record_submit(request, number):
    record = _get_record_for_user(request, number)
    try:
        services.record_submit(actor=request.user, record=record)
    except RecordValidationError as exc:
        messages.error(request, gettext("Not submitted: %(reason)s") % {"reason": exc.message})
        return redirect("records:edit", number=record.number)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Record %(number)s submitted and locked.") % {"number": record.number})
    return redirect(record)


# ------------------------------------------------------------------ record page
@require_GET
def record_detail(request, number):
    record = _get_record_for_user(request, number)
    user = request.user
    context = {
        "record": record,
        "values": selectors.rendered_values(record),
        "evidence": _with_extractions(list(record.evidence.select_related("uploaded_by", "superseded_by").defer("text"))),
        "amendments": selectors.rendered_amendments(record),
        "signatures": signatures_for(record),
        "entries": trail_for(record),
        "form_revision": selectors.current_form_revision(record.record_type),
        "reason_form": ReasonForm(),
    }
    if allowed("records.verify_record", user, record):
        context.update(sig_form=SignatureForm(user=user, obj=record), sig_meaning_label=Meaning.VERIFIED.label,
                       sig_action=f"{record.get_absolute_url()}verify/")
    return render(request, "records/record_detail.html", context)


def _with_extractions(evidence: list[Evidence]) -> list[Evidence]:
    """Each file with what was read from it (qms.textract), in one query."""
    found = textract.for_files([e.file for e in evidence if not e.disposed_at])
    for e in evidence:
        e.extraction = None if e.disposed_at else found.get(e.file)
    return evidence


@require_POST
def record_verify(request, number):
    record = _get_record_for_user(request, number)
    form = SignatureForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, gettext("Not verified: %(reason)s") % {"reason": " ".join(e for errs in form.errors.values() for e in errs)})
        return redirect(record)
    try:
        with form.signing():
            services.record_verify(actor=request.user, record=record, password=form.cleaned_data["password"],
                                   comment=form.cleaned_data["comment"])
    except SignatureRepeated:
        pass  # a double click: the first post signed; answer as it did
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(record)
    messages.success(request, gettext("Record %(number)s verified and signed.") % {"number": record.number})
    return redirect(record)


@require_http_methods(["GET", "POST"])
def record_amend(request, number):
    record = _get_record_for_user(request, number)
    require("records.amend_record", request.user, record)
    form = build_record_form(record.form_version, request.POST or None, values=record.values, skip_files=True,
                             kept=record.values)
    reason_form = AmendmentReasonForm(request.POST or None,
                                      initial={"opened": Stamp.of(services.editable_content(record))})
    if request.method == "POST":
        form_ok, reason_ok = form.is_valid(), reason_form.is_valid()
        if form_ok and reason_ok:
            try:
                amendment = services.record_amend(actor=request.user, record=record, values=form.json_values(),
                                                  reason=reason_form.cleaned_data["amendment_reason"],
                                                  opened=reason_form.cleaned_data["opened"])
            except RecordValidationError as exc:
                _errors_to_form(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, gettext("Amendment %(seq)s saved; the old values stay visible.") % {"seq": amendment.seq})
                return redirect(record)
    opened = reason_form.cleaned_data.get("opened") if reason_form.is_bound and reason_form.is_valid() else None
    opened = opened or (None if reason_form.is_bound else reason_form.initial["opened"])
    return render(request, "records/record_amend.html", {"record": record, "form": form, "reason_form": reason_form,
                                                         "poll_url": _poll_url(record, opened)},
                  status=400 if request.method == "POST" else 200)


@require_POST
def record_void(request, number):
    record = _get_record_for_user(request, number)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Voiding needs a reason. Nothing was changed."))
        return redirect(record)
    try:
        services.record_void(actor=request.user, record=record, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Record %(number)s voided. It stays visible, flagged.") % {"number": record.number})
    return redirect(record)


@require_POST
def record_hold(request, number):
    record = _get_record_for_user(request, number)
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("A legal hold change needs a reason. Nothing was changed."))
        return redirect(record)
    try:
        services.record_set_legal_hold(actor=request.user, record=record, hold=form.cleaned_data["legal_hold"],
                                       reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Legal hold placed.") if form.cleaned_data["legal_hold"] else gettext("Legal hold lifted."))
    return redirect(record)


@require_http_methods(["GET", "POST"])
def record_dispose(request, number):
    record = _get_record_for_user(request, number)
    require("records.approve_disposition", request.user, record)
    reason_form = ReasonForm(request.POST or None)
    sig_form = SignatureForm(request.POST or None, user=request.user, obj=record)
    status = 200
    if request.method == "POST":
        if reason_form.is_valid() and sig_form.is_valid():
            try:
                with sig_form.signing():
                    services.record_dispose(actor=request.user, record=record,
                                            password=sig_form.cleaned_data["password"],
                                            reason=reason_form.cleaned_data["reason"])
            except SignatureRepeated:
                pass  # a double click: the first post disposed of it
            except DomainError as exc:
                messages.error(request, exc.message)
                status = exc.status_code
                sig_form.restamp(record)
            if status == 200:
                messages.success(request, gettext("Record %(number)s disposed; its tombstone and trail remain.") % {"number": record.number})
                return redirect(record)
        else:
            status = 400
    return render(request, "records/record_dispose.html", {
        "record": record, "reason_form": reason_form, "sig_form": sig_form,
    }, status=status)


@require_POST
def record_pdf(request, number):
    record = _get_record_for_user(request, number)
    require("records.request_record_pdf", request.user, record)
    job = jobs.request_job(kind="record_pdf", actor=request.user, target=record)
    return redirect(job)


# ------------------------------------------------------------------ evidence
@require_POST
def evidence_add(request, number):
    record = _get_record_for_user(request, number)
    require("records.add_evidence", request.user, record)
    try:
        added = services.evidence_add(actor=request.user, record=record, uploads=request.FILES.getlist("evidence"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ngettext("%(count)s file added.", "%(count)s files added.", len(added)) % {"count": len(added)})
    return redirect(record)


def _get_evidence_for_user(request, pk) -> Evidence:
    evidence = get_object_or_404(Evidence.objects.select_related("record"), pk=pk)
    if not allowed("records.view_record", request.user, evidence.record):
        raise Http404(gettext("No such file."))
    return evidence


@require_GET
def evidence_download(request, pk):
    from qms.uploads import file_response

    evidence = _get_evidence_for_user(request, pk)
    if not allowed("records.download_evidence", request.user, evidence):
        raise Http404(gettext("This file was disposed of."))
    return file_response(evidence.file, download_name=evidence.original_name, content_type=evidence.content_type)


@require_GET
def evidence_searchable(request, pk):
    """The searchable copy OCR made of an evidence file (qms.textract); the original stays as it was."""
    from qms.uploads import file_response

    evidence = _get_evidence_for_user(request, pk)
    if not allowed("records.download_evidence", request.user, evidence):
        raise Http404(gettext("This file was disposed of."))
    copy = textract.for_files([evidence.file]).get(evidence.file)
    if copy is None or not copy.searchable_pdf:
        raise Http404(gettext("This file has no searchable copy."))
    stem = evidence.original_name.rsplit(".", 1)[0] or "evidence"
    return file_response(copy.searchable_pdf, download_name=f"{stem}.ocr.pdf", content_type="application/pdf")


@require_POST
def evidence_supersede(request, pk):
    evidence = _get_evidence_for_user(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Marking a file superseded needs a reason. Nothing was changed."))
        return redirect(evidence.record)
    try:
        services.evidence_supersede(actor=request.user, evidence=evidence, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("“%(name)s” marked superseded.") % {"name": evidence.original_name})
    return redirect(evidence.record)
