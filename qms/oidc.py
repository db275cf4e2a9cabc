"""OpenID Connect login (issue 17) on mozilla-django-oidc.

Why mozilla-django-oidc rather than allauth: it is one authentication
backend and two views (authorization request, callback) that sit beside our
own login, lockout and two-factor steps; PKCE, nonce and state are built in;
its hooks (`filter_users_by_claims`, `create_user`, `update_user`, the
verified ID-token payload) are exactly where matching, role mapping and the
`auth_time` check go. allauth would replace the account flow to get the same.

Configured from the environment (qms/settings.py): OIDC_RP_CLIENT_ID,
OIDC_RP_CLIENT_SECRET, the provider's endpoints (OIDC_OP_AUTHORIZATION_ENDPOINT,
OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT, OIDC_OP_JWKS_ENDPOINT),
OIDC_RP_SCOPES, OIDC_USERNAME_CLAIM, OIDC_GROUPS_CLAIM, OIDC_ROLE_MAP
("group|Role;group|Role"), OIDC_CREATE_USERS (create, or only match).

- Users are matched on the user-name claim (or created); roles from the
  groups claim are applied at every login (qms.sso.apply_roles, audited).
- Re-authentication for signing (`reauth_start`): the provider is asked for
  a fresh login (prompt=login, max_age=0); the callback accepts it only if
  the ID token's auth_time is after the request, for the same user, and it
  then counts once, within REAUTH_SECONDS, as the proof of identity of the
  next signature (qms.signing_auth).
- A bad callback (unknown or expired state, an error from the provider) is
  refused with a message on the login page and an audit event, never a 500.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_noop

from qms import sso, stored_text
from qms.audit import record_event

SOURCE = "oidc"
LABEL = "OpenID Connect"
REAUTH = "_qms_oidc_reauth"  # {"user": pk, "asked": ts} while a re-authentication is under way
BACKEND = "qms.oidc.QmsOIDCBackend"


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


try:
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend
    from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
except ImportError:  # pragma: no cover - the library is pinned in requirements.txt
    OIDCAuthenticationBackend = OIDCAuthenticationCallbackView = OIDCAuthenticationRequestView = object


class QmsOIDCBackend(OIDCAuthenticationBackend):
    def _username(self, claims) -> str:
        return str(claims.get(settings.OIDC_USERNAME_CLAIM, "") or "")[:150]

    def filter_users_by_claims(self, claims):
        user = sso.find_account(self._username(claims))
        return self.UserModel.objects.filter(pk=user.pk) if user else self.UserModel.objects.none()

    def verify_claims(self, claims):
        return bool(self._username(claims))

    def create_user(self, claims):
        user = sso.create_account(self._username(claims), full_name=claims.get("name", ""),
                                  email=claims.get("email", ""), label=LABEL)
        return self._after_login(user, claims)

    def update_user(self, user, claims):
        sso.copy_profile(user, full_name=claims.get("name", ""), email=claims.get("email", ""))
        user.save(update_fields=["full_name", "email"])
        return self._after_login(user, claims)

    def _after_login(self, user, claims):
        return sso.after_login(user, claims.get(settings.OIDC_GROUPS_CLAIM) or [],
                               mapping_text=settings.OIDC_ROLE_MAP, source=SOURCE, label=LABEL)

    def get_or_create_user(self, access_token, id_token, payload):
        self._payload = payload  # the verified ID token: auth_time for a re-authentication
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None:
            user._oidc_auth_time = payload.get("auth_time")
        return user


def _refuse(request, reason: str, *, status: int = 400):
    """`reason`, a stored text (qms.stored_text), is in English on the trail, as every
    event comment is, and in the reader's language on the login page."""
    record_event(actor=None, actor_name="OpenID Connect", verb="auth.oidc_refused", comment=str(reason),
                 request=request)
    shown = reason.translated() if isinstance(reason, stored_text.StoredText) else reason
    messages.error(request, gettext("Single sign-on failed: %(reason)s Try again.") % {"reason": shown})
    response = redirect("login")
    return response


@method_decorator(login_not_required, name="dispatch")
class LoginStart(OIDCAuthenticationRequestView):
    """Send the browser to the provider (authorization code with PKCE)."""

    def get_extra_params(self, request):
        params = dict(super().get_extra_params(request))
        pending = request.session.get(REAUTH)
        if request.GET.get("reauth") and isinstance(pending, dict):
            params.update(prompt="login", max_age="0")
        return params


@method_decorator(login_not_required, name="dispatch")
class Callback(OIDCAuthenticationCallbackView):
    def get(self, request):
        if request.GET.get("error"):
            states = request.session.get("oidc_states") or {}
            if states.pop(request.GET.get("state", ""), None) is not None:  # never usable again
                request.session["oidc_states"] = states
            return _refuse(request, stored_text.text(gettext_noop("the provider answered “%(error)s”."),
                                                     error=request.GET.get("error")[:100]))
        if "code" in request.GET and "state" in request.GET:
            states = request.session.get("oidc_states") or {}
            if request.GET["state"] not in states:
                return _refuse(request, stored_text.text(gettext_noop(
                    "the login request expired or was not started here (unknown state).")))
            added = (states.get(request.GET["state"]) or {}).get("added_on", 0)
            if time.time() - float(added or 0) > settings.OIDC_STATE_SECONDS:  # the library keeps states forever
                states.pop(request.GET["state"], None)
                request.session["oidc_states"] = states
                minutes = settings.OIDC_STATE_SECONDS // 60
                return _refuse(request, stored_text.ngettext(
                    "the login request expired (it was started over %(minutes)s minute ago).",
                    "the login request expired (it was started over %(minutes)s minutes ago).", minutes,
                    minutes=minutes))
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            return _refuse(request, stored_text.text(gettext_noop("the provider's answer was not accepted (%(error)s)."),
                                                     error=str(exc)[:120]))

    def login_failure(self):
        return _refuse(self.request, stored_text.text(gettext_noop("the provider's answer was not accepted.")))

    def login_success(self):
        from qms.login import finish_login

        request, user = self.request, self.user
        pending = request.session.get(REAUTH)
        if isinstance(pending, dict) and request.user.is_authenticated:
            request.session.pop(REAUTH, None)
            auth_time = getattr(user, "_oidc_auth_time", None)
            if user.pk != request.user.pk or pending.get("user") != user.pk:
                return _refuse(request, stored_text.text(gettext_noop("the re-authentication was for another account.")))
            if not auth_time or int(auth_time) < int(pending.get("asked", 0)) - 5:
                record_event(actor=user, verb="auth.oidc_reauth_stale", obj=user,
                             comment="The provider did not ask for the password again (auth_time before the request)")
                messages.error(request, gettext("The identity provider did not ask you to log in again: nothing was signed."))
                return redirect(self._next(pending.get("next")))
            sso.mark_reauthenticated(request, user, "oidc-reauth")
            record_event(actor=user, verb="auth.oidc_reauth", obj=user, comment="Fresh login at the provider")
            messages.success(request, gettext("Identity confirmed at your identity provider. Sign now (within five minutes)."))
            return redirect(self._next(pending.get("next")))
        return finish_login(request, user, method="oidc", backend=BACKEND,
                            next_url=request.session.get("oidc_login_next") or "")

    def _next(self, url):
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={self.request.get_host()}):
            return url
        return "/"


def reauth_start(request):
    """Ask the provider for a fresh login before signing (the signing page links here)."""
    from django.urls import reverse
    from django.utils.http import urlencode

    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    request.session[REAUTH] = {"user": request.user.pk, "asked": int(time.time()), "next": next_url}
    return redirect(f"{reverse('oidc-login')}?{urlencode({'reauth': 1, 'next': next_url})}")
