"""ACC-01: every URL needs a login, except an explicit list of public pages."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Public on purpose: the login page, a health probe for load balancers,
# Django admin views (which redirect to their own login page themselves), the
# one-time set-password link sent to invited external auditors, the printout
# verification page behind the QR code of every controlled PDF, and the
# iCalendar feeds, which authenticate by an unguessable per-user token in the
# URL (calendar clients cannot log in; see audits.views.ical_user).
PUBLIC = {
    "login", "healthz", "readyz", "admin:login", "password_reset_confirm", "password_reset_complete", "verify",
    "audits:ical-user", "audits:ical-programme",
    # Single sign-on: starting the login at the provider and coming back from it (404 when OIDC is not configured).
    "oidc-login", "oidc-callback",
    # SAML (qms/saml.py, 404 when not configured): the start, the IdP's POST, the GET after it, our metadata,
    # single logout (the IdP's signed messages, which may come through a browser logged out already).
    "saml-login", "saml-acs", "saml-done", "saml-metadata", "saml-slo",
    # The second steps of a login (a code, or enrolling when required): they act only on the
    # half-finished login kept in the session (qms/login.py), nobody is signed in yet.
    "login-verify", "login-enrol", "login-passkey-options",
}


def _api_operation(name: str, view) -> bool:
    """A REST API view (DRF): it authenticates itself and answers 401 in JSON, never a redirect to a page."""
    from rest_framework.views import APIView

    cls = getattr(view, "cls", None)
    return (name.startswith("api:") and isinstance(cls, type) and issubclass(cls, APIView)
            and getattr(view, "login_required", True) is False)  # the docs pages keep the login redirect
SAMPLE = {"int": "1", "str": "x", "slug": "x", "uuid": str(uuid.uuid4()), "path": "x"}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}", p.callback


def _concrete(route: str) -> str:
    import re

    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    path = path.lstrip("^").rstrip("$").replace("\\Z", "")
    return "/" + path


PATTERNS = [p for p in _walk(get_resolver().url_patterns) if "(?P" not in p[0]]
PRIVATE = [p for p in PATTERNS if p[1] not in PUBLIC]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "view"), PRIVATE, ids=[p[1] or p[0] for p in PRIVATE])
def test_anonymous_is_sent_to_login(client, route, name, view):
    url = _concrete(route)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if name.startswith("admin:"):
            assert response.status_code in (302, 404), url
            if response.status_code == 302:
                assert "login/" in response["Location"]
            continue
        if _api_operation(name, view) and response.status_code != 302:  # the docs pages redirect like any page
            assert response.status_code == 401, f"{method.upper()} {url} answered {response.status_code}"
            assert response["Content-Type"].startswith("application/"), url  # JSON (or the schema's OpenAPI type)
            continue
        assert response.status_code == 302, f"{method.upper()} {url} answered {response.status_code}"
        assert response["Location"].startswith("/accounts/login/"), url


def test_public_views_are_exactly_the_listed_ones():
    public = {name for _route, name, view in PATTERNS if getattr(view, "login_required", True) is False}
    public = {n for n in public if not n.startswith("admin:")}
    public = {n for n, view in ((name, view) for _r, name, view in PATTERNS) if n in public and not _api_operation(n, view)}
    assert public == {n for n in PUBLIC if not n.startswith("admin:")}


@pytest.mark.django_db
def test_healthz_answers_without_login(client):
    assert client.get("/healthz").content == b"ok"
