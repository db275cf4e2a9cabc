"""Evidence requests: auditors ask, the quality manager and staff answer with links and files."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from auditor import selectors, services
from auditor.forms import AnswerForm, EvidenceRequestForm
from auditor.models import EvidenceLink, EvidenceRequest
from qms.errors import DomainError
from qms.middleware import auditor_may_post
from qms.rules import allowed, require
from qms.uploads import file_response


@require_GET
def request_list(request):
    user = request.user
    qs = selectors.evidence_requests_for(user)
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
            messages.success(request, gettext("Your request was sent to the quality manager."))
            return redirect(req)
    return render(request, "auditor/request_new.html", {"form": form})


def _get_request_for_user(request, pk) -> EvidenceRequest:
    req = get_object_or_404(EvidenceRequest.objects.select_related("requested_by", "assigned_to", "answered_by"), pk=pk)
    if not allowed("auditor.view_evidence_request", request.user, req):
        raise Http404(gettext("No such evidence request."))
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
                messages.success(request, gettext("Request closed."))
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect(req)
        if not can_answer:
            raise PermissionDenied(gettext("You cannot answer this request."))
        if form.is_valid():
            try:
                services.answer_request(
                    actor=request.user, req=req, answer=form.cleaned_data["answer"],
                    references=form.reference_lines(), files=request.FILES.getlist("files"),
                )
            except (DomainError, ValidationError) as exc:
                form.add_error(None, getattr(exc, "message", None) or "; ".join(exc.messages))
            else:
                messages.success(request, gettext("Answer sent to the auditor."))
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
        raise Http404(gettext("This evidence is not a file."))
    return file_response(link.file, download_name=link.original_name, content_type=link.content_type_header)
