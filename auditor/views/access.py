"""External auditor access management, the access log, and evidence requests."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from auditor import services
from auditor.forms import AnswerForm, EvidenceRequestForm, InviteForm, RenewForm, RevokeForm
from auditor.models import AccessLogEntry, AuditorAccess, EvidenceLink, EvidenceRequest
from qms import permissions
from qms.errors import DomainError
from qms.middleware import auditor_may_post
from qms.rules import allowed, require
from qms.uploads import file_response


def _require_manager(user):
    require("auditor.manage_auditor_access", user)


@require_GET
def access_list(request):
    _require_manager(request.user)
    grants = AuditorAccess.objects.select_related("user", "invited_by")
    return render(request, "auditor/access_list.html", {"grants": grants})


@require_http_methods(["GET", "POST"])
def access_invite(request):
    _require_manager(request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        returning = AuditorAccess.objects.filter(user__username=data["email"].strip().lower()).exists()
        try:
            access, link = services.invite_external_auditor(
                actor=request.user, full_name=data["full_name"], email=data["email"],
                organisation=data["organisation"], audit_reference=data["audit_reference"],
                valid_from=data["valid_from"], valid_until=data["valid_until"], all_scope=data["all_scope"],
                clauses=data["clauses"], processes=data["processes"], site_url=settings.SITE_URL,
            )
        except (DomainError, ValidationError) as exc:
            form.add_error(None, getattr(exc, "message", None) or "; ".join(exc.messages))
        else:
            if returning:
                messages.success(request, f"{access.user.email} has an account already: their access is renewed "
                                          "and they were told by e-mail.")
            if link:
                messages.success(
                    request,
                    f"Invitation sent to {access.user.email}. One-time set-password link (also in the e-mail): "
                    f"{settings.SITE_URL}{link}",
                )
            return redirect(access)
    return render(request, "auditor/access_invite.html", {"form": form})


@require_GET
def access_detail(request, pk):
    _require_manager(request.user)
    access = get_object_or_404(AuditorAccess.objects.select_related("user", "invited_by", "revoked_by"), pk=pk)
    log = AccessLogEntry.objects.filter(user=access.user).only(
        "at", "method", "path", "view_name", "status_code", "ip_address"
    )
    page = Paginator(log, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "auditor/access_detail.html",
        {
            "access": access,
            "page": page,
            "clauses": access.clauses.all(),
            "processes": access.processes.all(),
            "revoke_form": RevokeForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def access_renew(request, pk):
    _require_manager(request.user)
    access = get_object_or_404(AuditorAccess.objects.select_related("user"), pk=pk)
    initial = {"organisation": access.organisation, "audit_reference": access.audit_reference,
               "valid_from": access.valid_from, "valid_until": access.valid_until, "all_scope": access.all_scope,
               "clauses": access.clauses.all(), "processes": access.processes.all()}
    form = RenewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.renew_access(
                actor=request.user, access=access, valid_from=data["valid_from"], valid_until=data["valid_until"],
                all_scope=data["all_scope"], clauses=data["clauses"], processes=data["processes"],
                organisation=data["organisation"], audit_reference=data["audit_reference"],
            )
        except (DomainError, ValidationError) as exc:
            form.add_error(None, getattr(exc, "message", None) or "; ".join(exc.messages))
        else:
            messages.success(request, f"Access for {access.user.display_name} changed.")
            return redirect(access)
    return render(request, "auditor/access_renew.html", {"form": form, "access": access})


@require_POST
def access_revoke(request, pk):
    _require_manager(request.user)
    access = get_object_or_404(AuditorAccess, pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for revoking the access.")
        return redirect(access)
    try:
        services.revoke_access(actor=request.user, access=access, reason=form.cleaned_data["reason"])
        messages.success(request, f"Access for {access.user.display_name} revoked; their sessions have ended.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(access)


# ------------------------------------------------------------------ evidence requests
@require_GET
def request_list(request):
    user = request.user
    qs = EvidenceRequest.objects.select_related("requested_by", "assigned_to")
    if not permissions.is_quality_manager(user):
        qs = qs.filter(Q(requested_by=user) | Q(assigned_to=user))
    status = request.GET.get("status", "open")
    if status in EvidenceRequest.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.only(
        "subject", "status", "created_at", "answered_at", "requested_by__full_name", "requested_by__username",
        "assigned_to__full_name", "assigned_to__username",
    ), 50).get_page(request.GET.get("page"))
    return render(
        request, "auditor/request_list.html",
        {"page": page, "status": status, "statuses": EvidenceRequest.Status.choices,
         "can_request": allowed("auditor.request_evidence", user)},
    )


@auditor_may_post
@require_http_methods(["GET", "POST"])
def request_new(request):
    require("auditor.request_evidence", request.user)
    initial = {"page_url": request.GET.get("from", "")}
    form = EvidenceRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.request_evidence(
                actor=request.user, subject=form.cleaned_data["subject"], details=form.cleaned_data["details"],
                page_url=form.cleaned_data["page_url"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Your request was sent to the quality manager.")
            return redirect(req)
    return render(request, "auditor/request_new.html", {"form": form})


def _get_request_for_user(request, pk) -> EvidenceRequest:
    req = get_object_or_404(EvidenceRequest.objects.select_related("requested_by", "assigned_to", "answered_by"), pk=pk)
    if not allowed("auditor.view_evidence_request", request.user, req):
        raise Http404("No such evidence request.")
    return req


@auditor_may_post
@require_http_methods(["GET", "POST"])
def request_detail(request, pk):
    req = _get_request_for_user(request, pk)
    can_answer = allowed("auditor.answer_evidence_request", request.user, req)
    form = AnswerForm(request.POST or None, request.FILES or None) if can_answer else None
    if request.method == "POST":
        if "close" in request.POST:
            try:
                services.close_request(actor=request.user, req=req)
                messages.success(request, "Request closed.")
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect(req)
        if not can_answer:
            raise PermissionDenied("You cannot answer this request.")
        if form.is_valid():
            try:
                services.answer_request(
                    actor=request.user, req=req, answer=form.cleaned_data["answer"],
                    references=form.reference_lines(), files=request.FILES.getlist("files"),
                )
            except (DomainError, ValidationError) as exc:
                form.add_error(None, getattr(exc, "message", None) or "; ".join(exc.messages))
            else:
                messages.success(request, "Answer sent to the auditor.")
                return redirect(req)
    return render(
        request, "auditor/request_detail.html",
        {"req": req, "links": req.links.all(), "form": form,
         "can_close": allowed("auditor.close_evidence_request", request.user, req)},
    )


@require_GET
def request_file(request, pk, link_id):
    req = _get_request_for_user(request, pk)
    link = get_object_or_404(EvidenceLink, pk=link_id, request=req)
    if not link.file:
        raise Http404("This evidence is not a file.")
    return file_response(link.file, download_name=link.original_name, content_type=link.content_type_header)


# ------------------------------------------------------------------ evidence packs
@auditor_may_post  # checking a pack changes nothing
@require_http_methods(["GET", "POST"])
def pack_verify(request):
    from auditor.forms import PackVerifyForm
    from auditor.packs import verify_evidence_pack
    from auditor.signing import key_id, public_key_pem

    require("auditor.verify_pack", request.user)
    form = PackVerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = verify_evidence_pack(form.cleaned_data["pack"])
    return render(request, "auditor/pack_verify.html", {
        "form": form, "result": result, "public_key_pem": public_key_pem(), "key_id": key_id(),
    })


@require_GET
def pack_public_key(request):
    """The public half of the pack-sealing key, for checking a pack offline."""
    from auditor.signing import public_key_pem

    require("auditor.verify_pack", request.user)
    response = HttpResponse(public_key_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="qms-pack-key.pem"'
    return response


@auditor_may_post  # building a pack changes no QMS data; the pack holds only what the requester's scope allows
@require_http_methods(["GET", "POST"])
def pack_build(request):
    from auditor.forms import PackBuildForm
    from auditor.pack_builder import request_pack
    from qms.models import Job

    require("auditor.build_pack", request.user)
    form = PackBuildForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = request_pack(actor=request.user, scope=form.scope())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "The evidence pack is being built; this page shows when it is ready.")
            return redirect(job)
    jobs = Job.objects.filter(kind="evidence_pack", requested_by=request.user).only(
        "public_id", "status", "params", "created_at", "finished_at", "sha256", "size", "progress"
    ).order_by("-created_at")[:20]
    return render(request, "auditor/pack_build.html", {"form": form, "jobs": jobs})
