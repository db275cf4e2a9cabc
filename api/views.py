"""The API tokens pages: a user's own tokens (make one, shown once; revoke),
and the quality manager's list of everyone's tokens; the webhooks pages."""

from functools import partial

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api import selectors, services, webhooks
from api.forms import TokenForm, WebhookForm
from api.models import PersonalAccessToken, WebhookDelivery
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
        messages.success(request, gettext("Token “%(name)s” revoked: it stops working at once.") % {"name": token.name})
    if token.user_id != request.user.pk:
        return redirect("api:token-admin")
    return redirect("api:tokens")


token_revoke.auditor_may_post = True


@require_GET
def token_admin(request):
    require("api.manage_all_tokens", request.user)
    return render(request, "api/token_admin.html", {"tokens": selectors.all_tokens(request.user)[:500]})


# ------------------------------------------------------------------ webhooks (the quality manager's pages)
def _endpoint_or_404(request, pk):
    require("api.manage_webhooks", request.user)
    return get_object_or_404(webhooks.endpoints_for(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
def webhook_list(request):
    require("api.manage_webhooks", request.user)
    form = WebhookForm(request.POST or None)
    created, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = webhooks.endpoint_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                form = WebhookForm()
        else:
            status = 400
    return render(request, "api/webhook_list.html", {
        "form": form, "created": created, "endpoints": webhooks.endpoints_for(request.user),
    }, status=status)


@require_GET
def webhook_detail(request, pk):
    endpoint = _endpoint_or_404(request, pk)
    labels = webhooks.catalogue()
    return render(request, "api/webhook_detail.html", {
        "endpoint": endpoint, "deliveries": webhooks.deliveries_of(endpoint)[:50],
        "events": [(verb, labels.get(verb, verb)) for verb in endpoint.events],
    })


def _endpoint_action(request, pk, act, done: str):
    endpoint = _endpoint_or_404(request, pk)
    try:
        act(actor=request.user, endpoint=endpoint)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"name": endpoint.name})
    return endpoint


@require_POST
def webhook_test(request, pk):
    _endpoint_action(request, pk, webhooks.send_test,
                     gettext("Test event queued for “%(name)s”: its delivery is listed below."))
    return redirect("api:webhooks-endpoint", pk)


@require_POST
def webhook_disable(request, pk):
    _endpoint_action(request, pk, partial(webhooks.endpoint_set_active, active=False),
                     gettext("“%(name)s” disabled: no events are sent to it."))
    return redirect("api:webhooks-endpoint", pk)


@require_POST
def webhook_enable(request, pk):
    _endpoint_action(request, pk, partial(webhooks.endpoint_set_active, active=True), gettext("“%(name)s” enabled."))
    return redirect("api:webhooks-endpoint", pk)


@require_POST
def webhook_delete(request, pk):
    _endpoint_action(request, pk, webhooks.endpoint_delete, gettext("“%(name)s” deleted; its secret is destroyed."))
    return redirect("api:webhooks")


@require_POST
def webhook_redeliver(request, pk):
    require("api.manage_webhooks", request.user)
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk,
                                 endpoint__deleted_at=None)
    try:
        webhooks.redeliver(actor=request.user, delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("“%(event)s” queued again.") % {"event": delivery.event})
    return redirect("api:webhooks-endpoint", delivery.endpoint_id)
