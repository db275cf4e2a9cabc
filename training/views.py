"""Training pages: the matrix (and its exports), job roles and competences,
people, training records and their signatures, expiring qualifications, my
training, and the competences a record type requires. Short views: rule,
form, service, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qms import jobs
from qms.audit import trail_for
from qms.errors import DomainError
from qms.exports import table_response
from qms.rules import allowed, require
from qms.signatures import SignatureForm, SignatureRepeated, signatures_for
from qms.uploads import file_response
from records.models import RecordType
from training import matrix, selectors, services
from training.forms import (
    CompetenceForm,
    EvaluateForm,
    EvidenceForm,
    MatrixFilterForm,
    PersonForm,
    QualificationForm,
    ReasonForm,
    RecordForm,
    RoleForm,
)
from training.models import (
    Competence,
    JobRole,
    Person,
    RecordTypeQualification,
    TrainingEvidence,
    TrainingRecord,
)

PAGE_SIZE = 50


def _page(request, qs, size=PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _filters(request) -> tuple[MatrixFilterForm, selectors.Filters, dict]:
    form = MatrixFilterForm(request.GET or None)
    # The role filter offers (and accepts) only the roles inside an external auditor's scope.
    form.fields["role"].queryset = selectors.roles_for_user(request.user).filter(is_active=True).order_by("code")
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = selectors.Filters(department_id=getattr(data.get("department"), "pk", None),
                                role_id=getattr(data.get("role"), "pk", None), search=(data.get("q") or "").strip())
    return form, filters, data


# ------------------------------------------------------------------ the matrix
@require_GET
def matrix_view(request):
    require("training.view_matrix", request.user)
    form, filters, data = _filters(request)
    page = selectors.matrix_page(request.user, filters, page=data.get("page") or 1, col_page=data.get("cols") or 1)
    return render(request, "training/matrix.html", {
        "form": form, "m": page, "states": [(s, matrix.LABELS[s], matrix.SHORT[s], matrix.COLOURS[s])
                                            for s in matrix.STATES],
        "query": filters.query(), "departments": selectors.departments(),
        "roles": form.fields["role"].queryset.select_related(None).only("code", "name"),
    })


@require_GET
def matrix_export(request, fmt):
    require("training.view_matrix", request.user)
    if fmt not in ("csv", "xlsx"):
        raise Http404(gettext("No such format."))
    _, filters, _ = _filters(request)
    rows = selectors.matrix_export_rows(request.user, filters)
    return table_response(selectors.MATRIX_EXPORT_COLUMNS, rows, fmt=fmt, basename="training-matrix")


@require_POST
def matrix_pdf(request):
    require("training.view_matrix", request.user)
    _, filters, _ = _filters(request)
    job = jobs.request_job(kind="training_matrix_pdf", actor=request.user, params=filters.query())
    return redirect(job.get_absolute_url())


# ------------------------------------------------------------------ roles and competences
@require_GET
def role_list(request):
    require("training.view_catalogue", request.user)
    roles = selectors.roles_for_user(request.user).prefetch_related("competences").order_by("code")
    comps = selectors.competences_for_user(request.user).prefetch_related("documents").order_by("code")
    return render(request, "training/role_list.html", {"roles": _page(request, roles),
                                                       "competences": comps[:500]})


@require_GET
def role_detail(request, pk):
    require("training.view_catalogue", request.user)
    role = get_object_or_404(selectors.roles_for_user(request.user), pk=pk)
    holders = role.people.filter(is_active=True).select_related("department").order_by("name")
    return render(request, "training/role_detail.html", {
        "role": role, "competences": role.competences.order_by("code"), "holders": _page(request, holders),
    })


@require_http_methods(["GET", "POST"])
def role_edit(request, pk=None):
    require("training.manage", request.user)
    role = get_object_or_404(JobRole, pk=pk) if pk else None
    initial = {"is_active": True}
    if role:
        initial = {"code": role.code, "name": role.name, "description": role.description,
                   "department": role.department, "competences": list(role.competences.all()),
                   "is_active": role.is_active}
    form = RoleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            role = services.role_save(actor=request.user, role=role, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Job role %(code)s saved.") % {"code": role.code})
            return redirect(role)
    return render(request, "training/form.html", {"form": form, "title": gettext("Edit %(name)s") % {"name": role} if role
                  else gettext("New job role")},
                  status=400 if request.method == "POST" else 200)


@require_GET
def competence_detail(request, pk):
    require("training.view_catalogue", request.user)
    c = get_object_or_404(selectors.competences_for_user(request.user), pk=pk)
    return render(request, "training/competence_detail.html", {
        "c": c, "documents": c.documents.select_related("effective_revision").order_by("number"),
        "roles": c.job_roles.order_by("code"),
        "counts": matrix.Counts(matrix.counts_by_competence(matrix.Scope(competence_ids=(c.pk,))).get(c.pk, {})),
    })


@require_http_methods(["GET", "POST"])
def competence_edit(request, pk=None):
    require("training.manage", request.user)
    c = get_object_or_404(Competence, pk=pk) if pk else None
    initial = {"is_active": True}
    if c:
        initial = {"code": c.code, "name": c.name, "kind": c.kind, "description": c.description,
                   "validity_months": c.validity_months, "documents": list(c.documents.all()), "is_active": c.is_active}
    form = CompetenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.competence_save(actor=request.user, competence=c, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Competence %(code)s saved.") % {"code": c.code})
            return redirect(c)
    return render(request, "training/form.html", {"form": form, "title": gettext("Edit %(name)s") % {"name": c} if c
                  else gettext("New competence")},
                  status=400 if request.method == "POST" else 200)


# ------------------------------------------------------------------ people
@require_GET
def person_list(request):
    require("training.view_matrix", request.user)
    form, filters, _ = _filters(request)
    qs = selectors._people(request.user, filters).prefetch_related("job_roles")
    return render(request, "training/person_list.html", {"form": form, "people": _page(request, qs),
                                                         "query": filters.query()})


def _get_person(request, pk) -> Person:
    person = get_object_or_404(selectors.people_for_user(request.user), pk=pk)
    if not (allowed("training.view_matrix", request.user) or person.user_id == request.user.pk):
        raise Http404(gettext("No such person."))
    return person


@require_GET
def person_detail(request, pk):
    person = _get_person(request, pk)
    return render(request, "training/person_detail.html", {
        "person": person, "roles": person.job_roles.order_by("code"),
        "qualifications": selectors.person_qualifications(person, user=request.user),
        "records": selectors.records_for_user(request.user).filter(person=person)[:100],
    })


@require_http_methods(["GET", "POST"])
def person_edit(request, pk=None):
    require("training.manage", request.user)
    person = get_object_or_404(Person, pk=pk) if pk else None
    initial = {"is_active": True}
    if person:
        initial = {"name": person.name, "employee_number": person.employee_number, "department": person.department,
                   "user": person.user, "roles": list(person.job_roles.all()), "is_active": person.is_active}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_save(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("%(name)s saved.") % {"name": person})
            return redirect(person)
    return render(request, "training/form.html", {"form": form, "title": gettext("Edit %(name)s") % {"name": person} if person
                  else gettext("New person")},
                  status=400 if request.method == "POST" else 200)


@require_GET
def mine(request):
    require("training.view_own", request.user)
    person = selectors.person_for_user(request.user)
    return render(request, "training/mine.html", {
        "person": person,
        "qualifications": selectors.person_qualifications(person) if person else [],
        "records": selectors.records_for_user(request.user).filter(person=person)[:100] if person else [],
    })


@require_GET
def expiring(request):
    require("training.view_matrix", request.user)
    rows = selectors.expiring()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [p for p, _, _ in page.object_list]
    people = {p.pk: p for p in selectors.people_for_user(request.user).filter(pk__in=ids)}
    comps = {c.pk: c for c in selectors.competences_for_user(request.user).filter(
        pk__in=[c for _, c, _ in page.object_list])}
    items = [(people[p], comps[c], cell) for p, c, cell in page.object_list if p in people and c in comps]
    return render(request, "training/expiring.html", {"page": page, "items": items})


# ------------------------------------------------------------------ training records
@require_GET
def record_list(request):
    require("training.view_own", request.user)
    qs = selectors.records_for_user(request.user)
    status = request.GET.get("status", "")
    if status in TrainingRecord.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("effectiveness") == "pending":
        qs = qs.filter(status=TrainingRecord.Status.SIGNED, effectiveness_result="")
    return render(request, "training/record_list.html", {"records": _page(request, qs.order_by("-trained_on", "-id")),
                                                         "statuses": TrainingRecord.Status.choices})


@require_http_methods(["GET", "POST"])
def record_create(request):
    require("training.create_record", request.user)
    initial = {"trainer": request.user}
    if request.GET.get("person", "").isdigit():
        initial["person"] = Person.objects.filter(pk=request.GET["person"]).first()
    if request.GET.get("competence", "").isdigit():
        initial["competence"] = Competence.objects.filter(pk=request.GET["competence"]).first()
    form = RecordForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("files", None)
        try:
            record = services.record_create(actor=request.user, uploads=[upload] if upload else [], **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("%(number)s recorded: the trainer and the trainee now sign it.")
                             % {"number": record.number})
            return redirect(record)
    return render(request, "training/form.html", {"form": form, "title": gettext("Record training"), "multipart": True},
                  status=400 if request.method == "POST" else 200)


def _get_record(request, pk) -> TrainingRecord:
    record = get_object_or_404(TrainingRecord.objects.select_related("person", "person__user", "competence",
                                                                     "trainer", "effectiveness_checked_by"), pk=pk)
    if not allowed("training.view_record", request.user, record):
        raise Http404(gettext("No such training record."))
    return record


@require_GET
def record_detail(request, pk):
    record = _get_record(request, pk)
    can_sign = allowed("training.sign_record", request.user, record)
    can_eval = allowed("training.evaluate_record", request.user, record)
    return render(request, "training/record_detail.html", {
        "record": record, "evidence": record.evidence.all(), "signatures": signatures_for(record),
        "sign_form": SignatureForm(user=request.user, obj=record) if can_sign else None,
        "eval_form": EvaluateForm() if can_eval else None,
        "eval_sig_form": SignatureForm(user=request.user, obj=record) if can_eval else None,
        "evidence_form": EvidenceForm() if allowed("training.add_evidence", request.user, record) else None,
        "void_form": ReasonForm() if allowed("training.void_record", request.user, record) else None,
        "trail": trail_for(record) if allowed("qms.view_trail", request.user, record) else None,
    })


@require_POST
def record_sign(request, pk):
    record = _get_record(request, pk)
    form = SignatureForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, gettext("Not signed: %(errors)s")
                       % {"errors": " ".join(e for errs in form.errors.values() for e in errs)})
        return redirect(record)
    try:
        with form.signing():
            record = services.record_sign(actor=request.user, record=record, password=form.cleaned_data["password"],
                                          comment=form.cleaned_data["comment"])
    except SignatureRepeated:
        pass
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(record)
    messages.success(request, gettext("%(number)s signed.") % {"number": record.number})
    return redirect(record)


@require_POST
def record_evaluate(request, pk):
    record = _get_record(request, pk)
    form, sig = EvaluateForm(request.POST), SignatureForm(request.POST, user=request.user)
    if not (form.is_valid() and sig.is_valid()):
        errors = list(form.errors.values()) + list(sig.errors.values())
        messages.error(request, gettext("Not recorded: %(errors)s") % {"errors": " ".join(e for errs in errors for e in errs)})
        return redirect(record)
    try:
        with sig.signing():
            services.record_evaluate(actor=request.user, record=record, password=sig.cleaned_data["password"],
                                     result=form.cleaned_data["result"], checked_on=form.cleaned_data["checked_on"],
                                     note=sig.cleaned_data["comment"])
    except SignatureRepeated:
        pass
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(record)
    messages.success(request, gettext("Effectiveness evaluation recorded and signed."))
    return redirect(record)


@require_POST
def evidence_add(request, pk):
    record = _get_record(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, gettext("Choose a file."))
        return redirect(record)
    try:
        services.evidence_add(actor=request.user, record=record, uploads=[form.cleaned_data["files"]])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Evidence attached."))
    return redirect(record)


@require_GET
def evidence_download(request, pk):
    ev = get_object_or_404(TrainingEvidence.objects.select_related("record", "record__person"), pk=pk)
    if not allowed("training.download_evidence", request.user, ev):
        raise Http404(gettext("No such file."))
    return file_response(ev.file, download_name=ev.original_name, content_type=ev.content_type)


@require_POST
def record_void(request, pk):
    record = _get_record(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Voiding needs a reason. Nothing was changed."))
        return redirect(record)
    try:
        services.record_void(actor=request.user, record=record, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("%(number)s voided.") % {"number": record.number})
    return redirect(record)


# ------------------------------------------------------------------ who may do this?
@require_GET
def qualification_list(request):
    require("training.manage", request.user)
    types = RecordType.objects.order_by("code").only("code", "name")
    needed = {}
    for q in RecordTypeQualification.objects.select_related("competence"):
        needed.setdefault(q.record_type_id, []).append(q.competence)
    return render(request, "training/qualification_list.html", {
        "types": [(t, needed.get(t.pk, [])) for t in types[:500]]})


@require_http_methods(["GET", "POST"])
def qualification_edit(request, code):
    require("training.manage", request.user)
    rt = get_object_or_404(RecordType, code=code)
    current = [q.competence for q in RecordTypeQualification.objects.filter(record_type=rt).select_related("competence")]
    form = QualificationForm(request.POST or None, initial={"competences": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.qualification_set(actor=request.user, record_type=rt, competences=form.cleaned_data["competences"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Who may submit %(name)s records: saved.") % {"name": rt.name})
            return redirect(reverse("training:qualifications"))
    return render(request, "training/form.html", {"form": form, "title": gettext("Who may submit %(name)s records?") % {"name": rt.name}},
                  status=400 if request.method == "POST" else 200)
