"""The API tokens pages: a user's own tokens (make one, shown once; revoke),
and the quality manager's list of everyone's tokens."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api import selectors, services
from api.forms import TokenForm
from api.models import PersonalAccessToken
from qms.errors import DomainError
from qms.rules import allowed, require


@require_http_methods(["GET", "POST"])
def token_list(request):
    require("api.manage_own_tokens", request.user)
    form = TokenForm(request.POST or None, user=request.user)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.token_create(
                    actor=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at(),
                    read_only=form.cleaned_data["read_only"] or TokenForm._auditor_only(request.user),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                form = TokenForm(user=request.user)
        else:
            status = 400
    return render(request, "api/token_list.html", {
        "form": form, "created": created, "tokens": selectors.tokens_of(request.user),
        "may_see_all": allowed("api.manage_all_tokens", request.user),
        "docs_url": reverse("api:docs"),
    }, status=status)


token_list.auditor_may_post = True  # an external auditor makes read-only tokens (the service caps them)


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(PersonalAccessToken.objects.select_related("user"), pk=pk)
    if not allowed("api.revoke_token", request.user, token):
        raise Http404("No such token.")
    try:
        services.token_revoke(actor=request.user, token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token “{token.name}” revoked: it stops working at once.")
    if token.user_id != request.user.pk:
        return redirect("api:token-admin")
    return redirect("api:tokens")


token_revoke.auditor_may_post = True


@require_GET
def token_admin(request):
    require("api.manage_all_tokens", request.user)
    return render(request, "api/token_admin.html", {"tokens": selectors.all_tokens(request.user)[:500]})
