"""The OpenID Connect URLs (qms/oidc.py): 404 while single sign-on is not configured."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.views.decorators.http import require_GET

from qms import oidc


def _configured():
    if not oidc.enabled():
        raise Http404("Single sign-on is not configured.")


@login_not_required
@require_GET
def oidc_login(request):
    _configured()
    return oidc.LoginStart.as_view()(request)


@login_not_required
@require_GET
def oidc_callback(request):
    _configured()
    return oidc.Callback.as_view()(request)


@require_GET
def oidc_reauth(request):
    """Before signing: a fresh login at the provider (prompt=login, max_age=0)."""
    _configured()
    return oidc.reauth_start(request)
