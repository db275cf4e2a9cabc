"""Supplier pages: register, supplier page and its actions, evaluations,
scorecard, criteria, the approved supplier list. Views are short: permission
check, form, service."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qms import jobs
from qms.audit import trail_for
from qms.errors import DomainError
from qms.rules import allowed, require
from qms.signatures import SignatureForm, SignatureRepeated, signatures_for
from suppliers import selectors, services
from suppliers.forms import (
    AuditLinkForm,
    CapaForm,
    CertificateForm,
    ContactForm,
    CriterionForm,
    DeliveryForm,
    EvaluationForm,
    FilterForm,
    StatusForm,
    SupplierForm,
)
from suppliers.lifecycles import SIGNED, SUPPLIER
from suppliers.models import Certificate, Criterion, Evaluation, Supplier

PAGE_SIZE = 50


def _get_supplier_for_user(request, code: str) -> Supplier:
    supplier = Supplier.objects.select_related("owner").filter(code=code).first()
    if supplier is None or not allowed("suppliers.view_supplier", request.user, supplier):
        raise Http404("No such supplier.")  # do not reveal that it exists
    return supplier


def _form_error(form, exc: DomainError) -> None:
    form.add_error(None, exc.message)


# ------------------------------------------------------------------ register
@require_GET
def index(request):
    require("suppliers.view_suppliers", request.user)
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(selectors.supplier_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "suppliers/supplier_list.html", {
        "form": form, "page": page, "can_manage": allowed("suppliers.manage_suppliers", request.user),
    })


@require_http_methods(["GET", "POST"])
def supplier_create(request):
    require("suppliers.manage_suppliers", request.user)
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier = services.supplier_create(actor=request.user, **form.changes())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(code)s added as a prospective supplier.") % {"code": supplier.code})
            return redirect(supplier)
    return render(request, "suppliers/supplier_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def supplier_edit(request, code):
    supplier = _get_supplier_for_user(request, code)
    require("suppliers.manage_suppliers", request.user)
    form = SupplierForm(request.POST or None, instance=Supplier.objects.get(pk=supplier.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_update(actor=request.user, supplier=supplier, **form.changes())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Supplier details saved."))
            return redirect(supplier)
    return render(request, "suppliers/supplier_form.html", {"form": form, "supplier": supplier})


@require_GET
def supplier_detail(request, code):
    supplier = _get_supplier_for_user(request, code)
    from audits.selectors import capas_raised_from

    user = request.user
    moves = [(to, SUPPLIER.label(to)) for to in sorted(SUPPLIER.moves[supplier.status])]
    certificates = list(supplier.certificates.all())
    # The re-evaluation is due sooner because a certificate runs out then.
    due_by = [c.standard for c in certificates if c.valid_until == supplier.next_evaluation_due]
    return render(request, "suppliers/supplier_detail.html", {
        "supplier": supplier,
        "contacts": supplier.contacts.all(),
        "certificates": certificates, "due_by_certificates": due_by,
        "evaluations": supplier.evaluations.select_related("evaluated_by")[:20],
        "capas": capas_raised_from(user, supplier).only("number", "title", "status", "raised_at")[:20],
        "moves": moves if allowed("suppliers.change_status", user, supplier) else [],
        "can_manage": allowed("suppliers.manage_suppliers", user),
        "can_evaluate": allowed("suppliers.evaluate", user, supplier),
        "can_capa": allowed("suppliers.raise_capa", user, supplier),
        "can_performance": allowed("suppliers.view_performance", user, supplier),
        "can_trail": allowed("qms.view_trail", user, supplier),
        "contact_form": ContactForm(), "certificate_form": CertificateForm(), "capa_form": CapaForm(),
        "audit_links": _audit_links(user, supplier),
        "audit_form": AuditLinkForm(supplier=supplier) if allowed("suppliers.manage_suppliers", user) else None,
        "signatures": signatures_for(supplier),
    })


def _audit_links(user, supplier):
    """The linked supplier audits the user may see (the audits app's own reading rule)."""
    from audits.selectors import audits_for

    visible = audits_for(user).values("pk")
    return supplier.audit_links.filter(audit__in=visible).select_related("audit").only(
        "linked_at", "audit__number", "audit__title", "audit__status", "audit__planned_start")


@require_POST
def audit_link(request, code):
    supplier = _get_supplier_for_user(request, code)
    require("suppliers.manage_suppliers", request.user)
    form = AuditLinkForm(request.POST, supplier=supplier)
    if not form.is_valid():
        messages.error(request, _("Choose a supplier audit to link. Nothing was linked."))
        return redirect(supplier)
    services.supplier_link_audit(actor=request.user, supplier=supplier, audit=form.cleaned_data["audit"])
    messages.success(request, _("%(number)s linked.") % {"number": form.cleaned_data["audit"].number})
    return redirect(supplier)


@require_GET
def supplier_trail(request, code):
    supplier = _get_supplier_for_user(request, code)
    require("qms.view_trail", request.user, supplier)
    return render(request, "suppliers/supplier_trail.html", {"supplier": supplier, "entries": trail_for(supplier)})


@require_http_methods(["GET", "POST"])
def supplier_status(request, code, to):
    supplier = _get_supplier_for_user(request, code)
    if to not in Supplier.Status.values:
        raise Http404(_("No such status."))
    require("suppliers.change_status", request.user, supplier)
    signed = to in SIGNED
    form = StatusForm(request.POST or None)
    sig_form = SignatureForm(request.POST or None, user=request.user, obj=supplier) if signed else None
    problem = None if SUPPLIER.can_move(supplier, to) else (
        _("%(object)s is %(state)s; it cannot become %(to)s.")
        % {"object": supplier.code, "state": SUPPLIER.label(supplier.status).lower(), "to": SUPPLIER.label(to).lower()})
    problem = problem or services.approval_problem(supplier, to)
    if request.method == "POST" and form.is_valid() and (sig_form is None or sig_form.is_valid()):
        try:
            if sig_form is not None:
                with sig_form.signing():
                    services.supplier_set_status(actor=request.user, supplier=supplier, to=to,
                                                 reason=form.cleaned_data["reason"],
                                                 password=sig_form.cleaned_data["password"])
            else:
                services.supplier_set_status(actor=request.user, supplier=supplier, to=to,
                                             reason=form.cleaned_data["reason"])
        except SignatureRepeated:
            return redirect(supplier)
        except DomainError as exc:
            form.add_error(None, exc.message)
            if sig_form is not None:
                sig_form.restamp(supplier)
        else:
            messages.success(request, _("%(code)s is now %(status)s.") % {"code": supplier.code, "status": SUPPLIER.label(to).lower()})
            return redirect(supplier)
    return render(request, "suppliers/supplier_status.html", {
        "supplier": supplier, "to": to, "to_label": SUPPLIER.label(to), "form": form, "sig_form": sig_form,
        "problem": problem,
    }, status=400 if request.method == "POST" else 200)


@require_POST
def contact_add(request, code):
    supplier = _get_supplier_for_user(request, code)
    require("suppliers.manage_suppliers", request.user)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The contact needs a name (and a valid e-mail address if given). Nothing was saved."))
        return redirect(supplier)
    services.contact_add(actor=request.user, supplier=supplier, **form.cleaned_data)
    messages.success(request, _("Contact added."))
    return redirect(supplier)


@require_POST
def certificate_add(request, code):
    supplier = _get_supplier_for_user(request, code)
    require("suppliers.manage_suppliers", request.user)
    form = CertificateForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[k].label or k}: {' '.join(v)}" if k in form.fields else " ".join(v)
                           for k, v in form.errors.items())
        messages.error(request, _("The certificate was not saved: %(errors)s") % {"errors": errors})
        return redirect(supplier)
    data = form.cleaned_data
    try:
        services.certificate_add(actor=request.user, supplier=supplier, standard=data["standard"],
                                 number=data["number"], issuer=data["issuer"], valid_until=data["valid_until"],
                                 upload=data.get("file"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Certificate added."))
    return redirect(supplier)


@require_GET
def certificate_download(request, pk):
    from qms.uploads import file_response

    cert = get_object_or_404(Certificate.objects.select_related("supplier"), pk=pk)
    if not cert.file or not allowed("suppliers.download_certificate", request.user, cert.supplier):
        raise Http404("No such file.")
    return file_response(cert.file, download_name=cert.original_name, content_type=cert.content_type)


@require_POST
def supplier_capa(request, code):
    supplier = _get_supplier_for_user(request, code)
    require("suppliers.raise_capa", request.user, supplier)
    form = CapaForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A nonconformity needs a title and a description. Nothing was raised."))
        return redirect(supplier)
    capa = services.supplier_raise_capa(actor=request.user, supplier=supplier, **form.cleaned_data)
    messages.success(request, _("%(number)s raised against %(code)s.") % {"number": capa.number, "code": supplier.code})
    return redirect(capa)


# ------------------------------------------------------------------ evaluations
@require_http_methods(["GET", "POST"])
def evaluation_create(request, code):
    supplier = _get_supplier_for_user(request, code)
    require("suppliers.evaluate", request.user, supplier)
    criteria = list(Criterion.objects.filter(is_active=True))
    kind = Evaluation.Kind.PERIODIC if supplier.evaluations.exists() else Evaluation.Kind.INITIAL
    form = EvaluationForm(request.POST or None, criteria=criteria, initial={"kind": kind})
    sig_form = SignatureForm(request.POST or None, user=request.user, obj=supplier, prefix="sig")
    if request.method == "POST" and form.is_valid() and sig_form.is_valid():
        data = form.cleaned_data
        try:
            with sig_form.signing():
                evaluation = services.evaluation_create(
                    actor=request.user, supplier=supplier, kind=data["kind"], evaluated_on=data["evaluated_on"],
                    scores=form.scores(), decision=data["decision"], comment=data["notes"],
                    password=sig_form.cleaned_data["password"])
        except SignatureRepeated:
            return redirect(supplier)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Evaluation recorded: score %(score)s.") % {"score": evaluation.score})
            return redirect(evaluation)
    return render(request, "suppliers/evaluation_form.html", {
        "supplier": supplier, "form": form, "sig_form": sig_form, "criteria": criteria,
    }, status=400 if request.method == "POST" else 200)


@require_GET
def evaluation_detail(request, pk):
    evaluation = get_object_or_404(Evaluation.objects.select_related("supplier", "evaluated_by"), pk=pk)
    if not allowed("suppliers.view_supplier", request.user, evaluation.supplier):
        raise Http404("No such evaluation.")
    return render(request, "suppliers/evaluation_detail.html", {
        "evaluation": evaluation, "supplier": evaluation.supplier, "lines": evaluation.lines.all(),
        "signatures": signatures_for(evaluation),
    })


# ------------------------------------------------------------------ performance
@require_http_methods(["GET", "POST"])
def scorecard(request, code):
    supplier = _get_supplier_for_user(request, code)
    require("suppliers.view_performance", request.user, supplier)
    form = DeliveryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require("suppliers.enter_deliveries", request.user, supplier)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.delivery_enter(actor=request.user, supplier=supplier, month=data["month"],
                                        delivered=data["delivered"], on_time=data["on_time"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Deliveries for %(month)s saved.") % {"month": f"{data['month']:%Y-%m}"})
                return redirect("suppliers:scorecard", code=supplier.code)
        status = 400
    return render(request, "suppliers/scorecard.html", {
        "supplier": supplier, "card": selectors.scorecard(request.user, supplier), "form": form,
        "can_enter": allowed("suppliers.enter_deliveries", request.user, supplier),
    }, status=status)


# ------------------------------------------------------------------ criteria
@require_GET
def criteria_list(request):
    require("suppliers.view_suppliers", request.user)
    return render(request, "suppliers/criteria_list.html", {
        "criteria": Criterion.objects.all(), "can_configure": allowed("suppliers.configure_criteria", request.user),
    })


@require_http_methods(["GET", "POST"])
def criterion_edit(request, pk=None):
    require("suppliers.configure_criteria", request.user)
    criterion = get_object_or_404(Criterion, pk=pk) if pk else Criterion()
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_save(actor=request.user, criterion=form.instance)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Criterion saved."))
            return redirect("suppliers:criteria")
    return render(request, "suppliers/criterion_form.html", {"form": form, "criterion": criterion})


# ------------------------------------------------------------------ approved supplier list
@require_GET
def approved_list(request):
    require("suppliers.view_suppliers", request.user)
    rows = list(selectors.approved_rows(request.user, None))
    return render(request, "suppliers/approved_list.html", {
        "columns": selectors.APPROVED_COLUMNS, "rows": rows,
    })


@require_POST
def approved_pdf(request):
    require("suppliers.view_suppliers", request.user)
    job = jobs.request_job(kind="suppliers_asl_pdf", actor=request.user)
    return redirect(reverse("job-detail", args=[job.public_id]))
