"""The SAML URLs (qms/saml.py): 404 while SAML is not configured."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseRedirectBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from qms import saml


class SeeOther(HttpResponseRedirectBase):
    """303: the browser follows the IdP's POST with a GET (which carries its session cookie)."""

    status_code = 303


def _configured():
    if not saml.enabled():
        raise Http404("SAML single sign-on is not configured.")


@login_not_required
@require_GET
def saml_login(request):
    _configured()
    return saml.start(request)


@require_GET
def saml_reauth(request):
    """Before signing: a fresh login at the identity provider (ForceAuthn)."""
    _configured()
    return saml.start(request, reauth=True)


@csrf_exempt  # the identity provider posts here from its own site; the signed response is the proof
@login_not_required
@require_POST
def saml_acs(request):
    _configured()
    try:
        key = saml.consume(request, request.POST.get("SAMLResponse", ""))
    except saml.SamlRefused as exc:
        return saml.refuse(request, exc)
    return SeeOther(f"{saml.reverse('saml-done')}?k={key}")


@login_not_required
@require_GET
def saml_done(request):
    _configured()
    return saml.finish(request, request.GET.get("k", ""))


@login_not_required
@require_GET
def saml_metadata(request):
    _configured()
    return HttpResponse(saml.metadata_xml(request), content_type="application/samlmetadata+xml")


@csrf_exempt  # the identity provider sends the browser here; the signed query is the proof
@login_not_required
@require_GET
def saml_slo(request):
    """Single logout: the IdP's answer to ours, or the IdP asking us to end a user's sessions."""
    _configured()
    return saml.single_logout(request)
