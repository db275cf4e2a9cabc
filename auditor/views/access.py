"""External auditor access: invite, scope, renew and revoke grants; the access log."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from auditor import services
from auditor.forms import InviteForm, RenewForm, RevokeForm
from auditor.models import AccessLogEntry, AuditorAccess
from qms.errors import DomainError
from qms.rules import require


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
                messages.success(request, gettext("%(email)s has an account already: their access is renewed "
                                                  "and they were told by e-mail.") % {"email": access.user.email})
            if link:
                messages.success(
                    request,
                    gettext("Invitation sent to %(email)s. One-time set-password link (also in the e-mail): %(link)s")
                    % {"email": access.user.email, "link": f"{settings.SITE_URL}{link}"},
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
            messages.success(request, gettext("Access for %(name)s changed.") % {"name": access.user.display_name})
            return redirect(access)
    return render(request, "auditor/access_renew.html", {"form": form, "access": access})


@require_POST
def access_revoke(request, pk):
    _require_manager(request.user)
    access = get_object_or_404(AuditorAccess, pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Give a reason for revoking the access."))
        return redirect(access)
    try:
        services.revoke_access(actor=request.user, access=access, reason=form.cleaned_data["reason"])
        messages.success(request, gettext("Access for %(name)s revoked; their sessions have ended.") % {
            "name": access.user.display_name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(access)
