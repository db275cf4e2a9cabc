"""SAML 2.0 single sign-on (issue 17) on pysaml2, our service provider beside OIDC.

Why pysaml2 rather than python3-saml: pysaml2 is pure Python, checks the
XML signatures with Debian's xmlsec1 binary, and is kept up (python3-saml
needs the `xmlsec` C binding built against the system's libxml2, and its
last release is older). pysaml2 can also act as the identity provider, which
the tests use: a real IdP in-process, with a key the test makes.

Configured from the environment (qms/settings.py): SAML_IDP_METADATA (a
file, or the XML itself), SAML_SP_ENTITY_ID, SAML_SP_KEY_FILE /
SAML_SP_CERT_FILE (optional: signed requests), SAML_USERNAME_ATTRIBUTE,
SAML_GROUPS_ATTRIBUTE, SAML_ROLE_MAP ("group|Role;…"), SAML_CREATE_USERS.

- Login: an AuthnRequest (HTTP-Redirect); the answer comes back by POST to
  the assertion consumer service. The session cookie (SameSite=Lax) is not
  sent on that cross-site POST, so the request we sent is remembered in the
  cache under its ID, bound to the browser by a value in its session; the ACS
  checks the answer and passes the outcome, under a one-time key, to a GET of
  `done`, where the browser's session is back and must match.
- Checked: the signature (of the response or the assertion: an unsigned one
  is refused), audience, time conditions, and InResponseTo: an answer to a
  request we did not make, or one already used (a replay), is refused. Every
  refusal gives a message on the login page and an `auth.saml_refused` event.
- Users are matched or made and their roles mapped by qms.sso, the code the
  OpenID Connect login uses.
- Re-authentication for signing: ForceAuthn="true"; the answer counts only if
  its AuthnInstant is after the request (then once, as qms.sso says).
- Single logout (HTTP-Redirect binding, our metadata advertises the endpoint):
  the NameID and SessionIndex of a SAML login are kept with its session
  (UserSession). Logging out here sends a LogoutRequest, signed with the SP's
  key, to the IdP's SLO endpoint (only with SAML_SP_KEY_FILE: an IdP refuses
  unsigned ones); its LogoutResponse comes back to `slo`, whose signature,
  InResponseTo and status are checked. A LogoutRequest from the IdP ends every
  session here of its NameID (those of its SessionIndex when it names some)
  and is answered with a LogoutResponse. The signature of the query (SigAlg,
  Signature) is checked on the raw query string against the IdP's
  certificates: an unsigned or forged one is refused with a 400 and an
  `auth.saml_logout_refused` event.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import shutil
import time
from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_noop

from qms import sso
from qms.audit import record_event

SOURCE = "saml"
LABEL = "SAML"
BACKEND = "qms.saml.SamlBackend"
BIND = "_qms_saml_bind"  # the browser's value, also kept with each request we send
REQUEST_SECONDS = 600
DONE_SECONDS = 120


class SamlBackend(ModelBackend):
    """Keeps a SAML login's session (get_user); authenticates nobody by password."""

    def authenticate(self, request, **credentials):
        return None


def enabled() -> bool:
    return bool(getattr(settings, "SAML_IDP_METADATA", ""))


class SamlRefused(Exception):
    """Why a SAML message or login is refused. `reason` is a gettext_noop sentence
    (its %(name)s filled from `params`): in English for the audit trail, as every
    event comment is, and `message` is the same sentence in the reader's language."""

    def __init__(self, reason: str, **params):
        self.template, self.params = reason, params
        self.reason = reason % params if params else reason
        super().__init__(self.reason)

    @property
    def message(self) -> str:
        text = gettext(self.template)
        return text % self.params if self.params else text


def _site(request) -> str:
    return settings.SITE_URL.rstrip("/") if settings.SITE_URL else f"{request.scheme}://{request.get_host()}"


def entity_id(request) -> str:
    return settings.SAML_SP_ENTITY_ID or _site(request) + reverse("saml-metadata")


def acs_url(request) -> str:
    return _site(request) + reverse("saml-acs")


def slo_url(request) -> str:
    return _site(request) + reverse("saml-slo")


def sp_config(request):
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.config import SPConfig

    metadata = settings.SAML_IDP_METADATA.strip()
    conf = {
        "entityid": entity_id(request),
        "xmlsec_binary": settings.SAML_XMLSEC_BINARY or shutil.which("xmlsec1"),
        "metadata": {"inline": [metadata]} if metadata.startswith("<") else {"local": [metadata]},
        "allow_unknown_attributes": True,
        "accepted_time_diff": 60,
        "service": {"sp": {
            "endpoints": {"assertion_consumer_service": [(acs_url(request), BINDING_HTTP_POST)],
                          "single_logout_service": [(slo_url(request), BINDING_HTTP_REDIRECT)]},
            "allow_unsolicited": False,
            "want_response_signed": False, "want_assertions_signed": False,
            "want_assertions_or_response_signed": True,
            "authn_requests_signed": bool(settings.SAML_SP_KEY_FILE),
        }},
    }
    if settings.SAML_SP_KEY_FILE:
        conf.update(key_file=settings.SAML_SP_KEY_FILE, cert_file=settings.SAML_SP_CERT_FILE)
    config = SPConfig()
    config.load(conf)
    return config


def client(request):
    from saml2.client import Saml2Client

    return Saml2Client(config=sp_config(request))


def metadata_xml(request) -> str:
    from saml2.metadata import entity_descriptor

    return str(entity_descriptor(sp_config(request)))


def _safe(request, url: str) -> str:
    return url if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}) else "/"


# ------------------------------------------------------------------ the request
def start(request, *, reauth: bool = False):
    """Send the browser to the IdP with an AuthnRequest (ForceAuthn for a re-authentication)."""
    from saml2 import BINDING_HTTP_REDIRECT

    bind = request.session.get(BIND) or secrets.token_urlsafe(24)
    request.session[BIND] = bind
    saml = client(request)
    idp = next(iter(saml.metadata.identity_providers()), None)
    if idp is None:
        return refuse(request, SamlRefused(gettext_noop("no identity provider is configured in the SAML metadata.")))
    kwargs = {"force_authn": "true"} if reauth else {}
    request_id, info = saml.prepare_for_authenticate(entityid=idp, binding=BINDING_HTTP_REDIRECT, **kwargs)
    cache.set(f"saml:req:{request_id}", {
        "bind": bind, "purpose": "reauth" if reauth else "login", "asked": int(time.time()),
        "user": request.user.pk if reauth else None, "next": _safe(request, request.GET.get("next", "")),
    }, REQUEST_SECONDS)
    location = dict(info["headers"])["Location"]
    return redirect(location)


# ------------------------------------------------------------------ the answer
def _in_response_to(encoded: str) -> str:
    from defusedxml import ElementTree

    try:
        xml = base64.b64decode(encoded, validate=False)
        root = ElementTree.fromstring(xml)
    except (binascii.Error, ValueError, ElementTree.ParseError) as exc:
        raise SamlRefused(gettext_noop("the answer is not a readable SAML response.")) from exc
    except Exception as exc:  # noqa: BLE001 - defusedxml refuses entities and DTDs with its own errors
        raise SamlRefused(gettext_noop("the answer is not a readable SAML response.")) from exc
    if not root.tag.endswith("}Response"):
        raise SamlRefused(gettext_noop("the answer is not a SAML response."))
    return root.get("InResponseTo") or ""


def consume(request, encoded: str) -> str:
    """Check a SAMLResponse posted to the ACS; returns the one-time key of its outcome."""
    from saml2 import BINDING_HTTP_POST

    if not encoded:
        raise SamlRefused(gettext_noop("the identity provider sent no SAML response."))
    request_id = _in_response_to(encoded)
    if not request_id:
        raise SamlRefused(gettext_noop("an unsolicited response (it answers no login request of ours)."))
    sent = cache.get(f"saml:req:{request_id}")
    if sent is None or not cache.delete(f"saml:req:{request_id}"):
        raise SamlRefused(gettext_noop("the response answers a login request that expired, was not made here, "
                                       "or was already used (a replayed response)."))
    try:
        response = client(request).parse_authn_request_response(
            encoded, BINDING_HTTP_POST, outstanding={request_id: sent["next"]})
    except Exception as exc:  # noqa: BLE001 - pysaml2 raises many kinds; each is a refusal, never a 500
        raise _refusal(exc) from exc
    if response is None:
        raise SamlRefused(gettext_noop("the response was not accepted."))
    attributes = response.get_identity() or {}
    name_id = getattr(response.get_subject(), "text", "") or ""
    username = _first(attributes.get(settings.SAML_USERNAME_ATTRIBUTE)) or name_id
    statement = (response.assertion.authn_statement or [None])[0]
    instant = getattr(statement, "authn_instant", "") or ""
    subject = response.get_subject()
    key = secrets.token_urlsafe(24)
    cache.set(f"saml:done:{key}", {
        **sent, "username": str(username)[:150], "instant": instant, "idp": response.issuer() or "",
        "name_id": {"text": str(name_id)[:255], "format": getattr(subject, "format", None),
                    "name_qualifier": getattr(subject, "name_qualifier", None),
                    "sp_name_qualifier": getattr(subject, "sp_name_qualifier", None)},
        "session_index": str(getattr(statement, "session_index", "") or "")[:255],
        "name": _first(attributes.get(settings.SAML_NAME_ATTRIBUTE)),
        "email": _first(attributes.get(settings.SAML_EMAIL_ATTRIBUTE)),
        "groups": [str(g) for g in attributes.get(settings.SAML_GROUPS_ATTRIBUTE) or []],
    }, DONE_SECONDS)
    return key


def _first(values) -> str:
    if isinstance(values, list | tuple):
        return str(values[0]) if values else ""
    return str(values or "")


def _refusal(exc: Exception) -> SamlRefused:
    name = type(exc).__name__
    text = str(exc)[:160]
    if ("ignature" in name or "ignature" in text or " signed" in text
            or name in ("IncorrectlySigned", "XmlsecError", "SigverError")):
        return SamlRefused(gettext_noop("the response is not signed by the identity provider, or its signature "
                                        "does not match (forged?)."))
    if "udience" in text or "udience" in name:
        return SamlRefused(gettext_noop("the response is meant for another service (wrong audience)."))
    if name in ("ToEarly", "ResponseLifetimeExceed") or "expired" in text.lower():
        return SamlRefused(gettext_noop("the response is outside its validity time."))
    if name.startswith("Status"):
        return SamlRefused(gettext_noop("the identity provider refused the login (%(status)s)."),
                           status=name.removeprefix("Status"))
    return SamlRefused(gettext_noop("the response was not accepted (%(error)s)."), error=name)


def finish(request, key: str):
    """The GET after the ACS: the browser's session is back; log in or mark the re-authentication."""
    from qms.login import finish_login

    outcome = cache.get(f"saml:done:{key}") if key else None
    if outcome is None or not cache.delete(f"saml:done:{key}"):
        return refuse(request, SamlRefused(gettext_noop("the login result expired or was already used.")))
    if not request.session.get(BIND) or outcome.get("bind") != request.session.get(BIND):
        return refuse(request, SamlRefused(gettext_noop("the response belongs to a login started in another browser.")))
    if outcome["purpose"] == "reauth":
        user = request.user
        if not user.is_authenticated or user.pk != outcome.get("user") or (
                sso.find_account(outcome["username"]) is None or sso.find_account(outcome["username"]).pk != user.pk):
            return refuse(request, SamlRefused(gettext_noop("the re-authentication was for another account.")))
        if _instant(outcome["instant"]) < int(outcome["asked"]) - 5:
            record_event(actor=user, verb="auth.saml_reauth_stale", obj=user,
                         comment="The identity provider did not ask for the password again (AuthnInstant before the request)")
            messages.error(request, gettext("The identity provider did not ask you to log in again: nothing was signed."))
            return redirect(outcome["next"])
        sso.mark_reauthenticated(request, user, "saml-reauth")
        record_event(actor=user, verb="auth.saml_reauth", obj=user, comment="Fresh login at the identity provider")
        messages.success(request, gettext("Identity confirmed at your identity provider. Sign now (within five minutes)."))
        return redirect(outcome["next"])
    user = sso.match_or_create(
        outcome["username"], full_name=outcome["name"], email=outcome["email"], groups=outcome["groups"],
        create=settings.SAML_CREATE_USERS, mapping_text=settings.SAML_ROLE_MAP, source=SOURCE, label=LABEL)
    if user is None:
        return refuse(request, SamlRefused(gettext_noop("there is no account for “%(username)s” here."),
                                           username=outcome["username"]))
    if not user.is_active:
        return refuse(request, SamlRefused(gettext_noop("this account is deactivated.")))
    response = finish_login(request, user, method="saml", backend=BACKEND, next_url=outcome["next"])
    _remember_session(request, outcome)
    return response


# ------------------------------------------------------------------ single logout
SESSION = "_qms_saml"  # in a SAML login's session: the subject and session the IdP knows it by


def _remember_session(request, outcome) -> None:
    from qms.identity_models import UserSession

    request.session[SESSION] = {"idp": outcome.get("idp", ""), "name_id": outcome.get("name_id") or {},
                                "session_index": outcome.get("session_index", "")}
    UserSession.objects.filter(session_key=request.session.session_key).update(
        saml_name_id=(outcome.get("name_id") or {}).get("text", ""), saml_session_index=outcome.get("session_index", ""))


def logout_request_url(request) -> str:
    """Before the local logout of a SAML login: the IdP's SLO endpoint with our signed
    LogoutRequest, where the browser goes next; "" when none is sent (not a SAML login,
    no signing key of ours, or the IdP has no SLO endpoint)."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.saml import NameID

    held = request.session.get(SESSION)
    if not (enabled() and isinstance(held, dict) and settings.SAML_SP_KEY_FILE and held.get("name_id")):
        return ""
    saml = client(request)
    idp = held.get("idp") or next(iter(saml.metadata.identity_providers()), "")
    try:
        services = saml.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
    except Exception:  # noqa: BLE001 - an IdP the metadata no longer names: log out here only
        services = []
    location = next((s.get("location") for s in services if s.get("location")), "")
    if not location:
        return ""
    name_id = NameID(**{k: v for k, v in held["name_id"].items() if v})
    request_id, logout = saml.create_logout_request(
        location, idp, name_id=name_id, session_indexes=[held["session_index"]] if held.get("session_index") else None,
        sign=False)
    info = saml.apply_binding(BINDING_HTTP_REDIRECT, str(logout), location, sign=True)
    cache.set(f"saml:logout:{request_id}", {"user": request.user.pk}, REQUEST_SECONDS)
    record_event(actor=request.user, verb="auth.saml_logout_sent", obj=request.user, request=request,
                 comment="Single logout: a signed logout request sent to the identity provider")
    return dict(info["headers"])["Location"]


def _raw_query(request) -> dict[str, str]:
    """The query's parameters as sent (still URL-encoded): a redirect signature covers these bytes."""
    from urllib.parse import unquote_plus

    out = {}
    for piece in (request.META.get("QUERY_STRING") or "").split("&"):
        name, _, value = piece.partition("=")
        out.setdefault(unquote_plus(name), value)
    return out


def _redirect_message(request, kind: str):
    """The SAMLRequest / SAMLResponse of an HTTP-Redirect query, its signature checked against the
    certificates of the IdP that issued it. Returns (the encoded message, its issuer, the XML root)."""
    from urllib.parse import unquote_plus

    from defusedxml import ElementTree
    from saml2.s_utils import decode_base64_and_inflate
    from saml2.sigver import SIGNER_ALGS, extract_rsa_key_from_x509_cert, pem_format

    raw = _raw_query(request)
    encoded = unquote_plus(raw.get(kind, ""))
    if not encoded:
        raise SamlRefused(gettext_noop("the identity provider sent no %(kind)s."), kind=kind)
    try:
        root = ElementTree.fromstring(decode_base64_and_inflate(encoded))
    except Exception as exc:  # noqa: BLE001 - not base64, not deflated, not XML, or entities: a refusal
        raise SamlRefused(gettext_noop("the message is not a readable SAML message.")) from exc
    issuer = next((el.text or "" for el in root if el.tag.endswith("}Issuer")), "").strip()
    if "Signature" not in raw or "SigAlg" not in raw:
        raise SamlRefused(gettext_noop("the logout message is not signed (no Signature): refused."))
    signer = SIGNER_ALGS.get(unquote_plus(raw["SigAlg"]))
    if signer is None:
        raise SamlRefused(gettext_noop("the logout message is signed with an algorithm we do not accept."))
    signed = "&".join(f"{name}={raw[name]}" for name in (kind, "RelayState", "SigAlg") if name in raw).encode()
    try:
        signature = base64.b64decode(unquote_plus(raw["Signature"]), validate=True)
        certs = client(request).metadata.certs(issuer, "idpsso", "signing") if issuer else []
    except Exception as exc:  # noqa: BLE001 - bad base64, an issuer the metadata does not know
        raise SamlRefused(gettext_noop("the logout message's signature is not readable, or its issuer is unknown.")) from exc
    for _name, cert in certs:
        try:
            if signer.verify(signed, signature, extract_rsa_key_from_x509_cert(pem_format(cert))):
                return encoded, issuer, root
        except Exception:  # noqa: BLE001,S112 - a signature that does not verify: try the next certificate
            continue
    raise SamlRefused(gettext_noop("the logout message's signature does not match the identity provider's (forged?)."))


def single_logout(request):
    """Our SLO endpoint: the IdP's answer to our LogoutRequest, or its own LogoutRequest."""
    from django.http import HttpResponseBadRequest

    try:
        if "SAMLResponse" in request.GET:
            return _logout_answered(request)
        if "SAMLRequest" in request.GET:
            return _logout_asked(request)
        raise SamlRefused(gettext_noop("neither a logout request nor a logout response."))
    except SamlRefused as exc:
        from django.template.loader import render_to_string

        record_event(actor=None, actor_name=LABEL, verb="auth.saml_logout_refused", comment=exc.reason, request=request)
        page = render_to_string("error.html", {
            "title": gettext("Single logout refused"),
            "message": gettext("Single logout refused: %(reason)s") % {"reason": exc.message}}, request=request)
        return HttpResponseBadRequest(page)


def _logout_answered(request):
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.samlp import STATUS_SUCCESS

    encoded, _issuer, root = _redirect_message(request, "SAMLResponse")
    if not root.tag.endswith("}LogoutResponse"):
        raise SamlRefused(gettext_noop("the answer is not a logout response."))
    sent_id = root.get("InResponseTo") or ""
    if not sent_id or cache.get(f"saml:logout:{sent_id}") is None or not cache.delete(f"saml:logout:{sent_id}"):
        raise SamlRefused(gettext_noop("the logout response answers no logout request of ours (or was already used)."))
    try:
        response = client(request).parse_logout_request_response(encoded, BINDING_HTTP_REDIRECT)
    except Exception as exc:  # noqa: BLE001 - pysaml2 raises many kinds; each is a refusal
        raise _refusal(exc) from exc
    if response is None:
        raise SamlRefused(gettext_noop("the logout response was not accepted."))
    status = response.response.status.status_code.value
    record_event(actor=None, actor_name=LABEL, verb="auth.saml_logout_done", request=request,
                 comment=f"Logout response from the identity provider: {status.rsplit(':', 1)[-1]}")
    if status == STATUS_SUCCESS:
        messages.success(request, gettext("You are logged out, here and at your identity provider."))
    else:
        messages.warning(request, gettext("You are logged out here; your identity provider did not confirm "
                                          "its own logout. Close the browser to be sure."))
    return redirect("login")


def _logout_asked(request):
    from django.contrib.auth import logout
    from django.shortcuts import render
    from saml2 import BINDING_HTTP_REDIRECT

    from qms.identity_models import UserSession
    from qms.sessions_view import end_session

    encoded, issuer, root = _redirect_message(request, "SAMLRequest")
    if not root.tag.endswith("}LogoutRequest"):
        raise SamlRefused(gettext_noop("the message is not a logout request."))
    saml = client(request)
    relay_state = request.GET.get("RelayState", "")
    try:
        asked = saml.parse_logout_request(encoded, BINDING_HTTP_REDIRECT, relay_state=relay_state)
    except Exception as exc:  # noqa: BLE001 - pysaml2 raises many kinds; each is a refusal
        raise _refusal(exc) from exc
    if asked is None or asked.message.name_id is None or not asked.message.name_id.text:
        raise SamlRefused(gettext_noop("the logout request names nobody."))
    message = asked.message
    name_id = message.name_id.text.strip()
    indexes = [i.text.strip() for i in message.session_index or [] if i.text]
    rows = UserSession.objects.filter(saml_name_id=name_id).select_related("user")
    if indexes:
        rows = rows.filter(saml_session_index__in=indexes)
    rows = list(rows)
    own = request.session.session_key
    for row in rows:
        if row.session_key == own:
            logout(request)
        else:
            end_session(actor=None, row=row, reason=f"Single logout from the identity provider ({issuer})")
    for user in {row.user for row in rows}:
        record_event(actor=None, actor_name=LABEL, verb="auth.saml_logout", obj=user, request=request,
                     comment=f"Single logout asked by the identity provider: "
                             f"{sum(r.user_id == user.pk for r in rows)} session(s) ended",
                     data={"name_id": name_id, "session_index": indexes})
    response = saml.create_logout_response(message, bindings=[BINDING_HTTP_REDIRECT], sign=False)
    try:
        destination = saml.response_args(message, [BINDING_HTTP_REDIRECT])["destination"]
    except Exception:  # noqa: BLE001 - the IdP has no SLO endpoint to answer at: say so here
        destination = ""
    if not destination:
        return render(request, "error.html", {"title": gettext("Logged out"),
                                              "message": gettext("You are logged out.")})
    info = saml.apply_binding(BINDING_HTTP_REDIRECT, response, destination, relay_state, response=True,
                              sign=bool(settings.SAML_SP_KEY_FILE))
    return redirect(dict(info["headers"])["Location"])


def _instant(text: str) -> int:
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def refuse(request, refusal: SamlRefused):
    record_event(actor=None, actor_name=LABEL, verb="auth.saml_refused", comment=refusal.reason, request=request)
    messages.error(request, gettext("Single sign-on failed: %(reason)s Try again.") % {"reason": refusal.message})
    return redirect("login")
