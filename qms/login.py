"""Login in steps (issue 17): password, then the second factor when enrolled,
or enrolment itself when the policy's grace period is over.

Between the steps nobody is logged in: the session holds only a pending
login (user id, backend, where to go, when) that lasts PENDING_SECONDS.
`finish_login` is the one place a login completes: it logs the user in,
remembers how identity was proved, and flags a due password change.
"""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from qms import mfa, passwords
from qms.forms import BootstrapForm, StyledAuthenticationForm

PENDING = "_qms_pending_login"
PENDING_SECONDS = 300
METHOD = "_qms_auth_method"


class CodeForm(BootstrapForm):
    code = forms.CharField(
        label=pgettext_lazy("one-time code from an authenticator app", "Code"), max_length=40,
        help_text=gettext_lazy("The six-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args, recovery_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if recovery_only:  # a security key and its recovery codes, no authenticator app
            self.fields["code"].label = gettext_lazy("Recovery code")
            self.fields["code"].help_text = gettext_lazy("One of the recovery codes you saved with your security key.")
            self.fields["code"].widget.attrs.update(inputmode="text", autofocus=False)


def _safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


def finish_login(request, user, *, method: str, backend: str | None = None, next_url: str = ""):
    """Complete a login: the session, how identity was proved, reminders of what is due."""
    request._qms_login_method = method  # read by qms.sessions_view when it records the session
    login(request, user, backend=backend)
    request.session[METHOD] = method
    request.session.pop(PENDING, None)
    passwords.flag_session(request, user)
    standing = mfa.standing(user)
    if standing.in_grace:
        messages.warning(
            request,
            gettext("Two-factor authentication is required for your role from %(date)s. "
                    "Set it up now under “Security” in your user menu.") % {"date": date_format(standing.deadline, "j F Y")},
        )
    return redirect(_safe_next(request, next_url))


class LoginForm(StyledAuthenticationForm):
    def clean_username(self):
        from qms import ldap

        name = self.cleaned_data.get("username", "")
        # A directory name never has filter or DN metacharacters: refused before any lookup (LDAP injection).
        if ldap.enabled() and name and not ldap.SAFE_USERNAME.match(name):
            from qms.audit import record_event

            record_event(actor=None, actor_name=name[:150], verb="auth.ldap_refused", request=self.request,
                         comment="User name with characters a directory name never has (LDAP injection refused)",
                         data={"username": name[:150]})
            raise forms.ValidationError(
                gettext("A user name has only letters, digits and . _ @ - (no * ( ) \\ or spaces)."), code="invalid_username")
        return name

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        backend = (getattr(user, "backend", "") or "").lower()
        if (settings.LOCAL_LOGIN == "break-glass" and "ldap" not in backend
                and user.username not in settings.BREAK_GLASS_USERS):
            from qms.audit import record_event

            record_event(actor=user, verb="auth.local_login_refused", obj=user, request=self.request,
                         comment="Local password login is off except for break-glass accounts")
            raise forms.ValidationError(
                gettext("Log in with %(provider)s: password login is kept for emergency accounts only.")
                % {"provider": settings.OIDC_PROVIDER_NAME},
                code="local_login_off")


class LoginView(auth_views.LoginView):
    """The password step. A user with a second factor (or who must enrol) goes on to the next step."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from qms import oidc, saml

        return {**super().get_context_data(**kwargs), "oidc_enabled": oidc.enabled(),
                "oidc_name": settings.OIDC_PROVIDER_NAME, "saml_enabled": saml.enabled(),
                "saml_name": settings.SAML_PROVIDER_NAME}

    def form_valid(self, form):
        user = form.get_user()
        standing = mfa.standing(user)
        if standing.enrolled or standing.must_enrol_now:
            self.request.session[PENDING] = {
                "user": user.pk, "backend": getattr(user, "backend", None),
                "next": self.get_redirect_url(), "at": int(time.time()),
                "method": "ldap" if "ldap" in (getattr(user, "backend", "") or "").lower() else "password",
            }
            return redirect("login-verify" if standing.enrolled else "login-enrol")
        method = "ldap" if "ldap" in (getattr(user, "backend", "") or "").lower() else "password"
        return finish_login(self.request, user, method=method, backend=getattr(user, "backend", None),
                            next_url=self.get_redirect_url())


class LogoutView(auth_views.LogoutView):
    """Log out here; after a SAML login, the browser goes on to the identity provider's
    single logout with our signed request (qms/saml.py), and comes back to the login page."""

    def post(self, request, *args, **kwargs):
        from qms import saml

        try:
            target = saml.logout_request_url(request)
        except Exception as exc:  # noqa: BLE001 - a broken SAML set-up never keeps anyone logged in
            from qms.audit import record_event

            record_event(actor=request.user, verb="auth.saml_logout_failed", obj=request.user, request=request,
                         comment=f"No logout request sent to the identity provider ({type(exc).__name__})")
            target = ""
        response = super().post(request, *args, **kwargs)
        if not target:
            return response
        # Not a redirect: the CSP's form-action ('self') also covers where a form's answer redirects to.
        page = render(request, "registration/saml_logout.html", {"idp_url": target})
        page["Refresh"] = f"0;url={target}"
        return page


def pending_user(request):
    """The user half-way through logging in, or None (none pending, or it expired)."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, pending


def _expired(request):
    messages.error(request, gettext("Your login took too long or was not started. Log in again."))
    return redirect("login")


@login_not_required
@require_http_methods(["GET", "POST"])
def login_verify(request):
    """The second step: a code from the authenticator app (or a recovery code)."""
    user, pending = pending_user(request)
    if user is None:
        return _expired(request)
    from qms import passkeys

    recovery_only = not mfa.has_totp(user) and mfa.has_recovery_codes(user)  # a security key, its codes
    form = CodeForm(request.POST or None, recovery_only=recovery_only) if mfa.has_totp(user) or recovery_only else None
    passkey_error = ""
    if request.method == "POST" and request.POST.get("passkey"):
        try:
            passkeys.verify(request, user=user, credential=request.POST["passkey"], purpose="login")
        except passkeys.PasskeyRefused as exc:
            passkey_error = exc.message
        else:
            return finish_login(request, user, method=f"{pending['method']}+passkey", backend=pending["backend"],
                                next_url=pending.get("next", ""))
        if form is not None:
            form = CodeForm(recovery_only=recovery_only)
    elif request.method == "POST" and form is None:
        passkey_error = "Use your security key to log in."
    elif request.method == "POST" and form.is_valid():
        try:
            how = mfa.verify(user=user, code=form.cleaned_data["code"], purpose="login")
        except mfa.MfaRefused as exc:
            form.add_error("code", exc.message)
        else:
            if how == "recovery":
                messages.warning(request, gettext("You used a recovery code; %(left)s are left. Make new ones on your "
                                                  "security page if you are running out.")
                                 % {"left": mfa.recovery_codes_left(user)})
            return finish_login(request, user, method=f"{pending['method']}+{how}", backend=pending["backend"],
                                next_url=pending.get("next", ""))
    return render(request, "registration/login_verify.html", {
        "form": form, "pending_user": user, "has_passkey": passkeys.has_passkey(user), "passkey_error": passkey_error,
        "recovery_only": recovery_only,
    })


@login_not_required
@require_http_methods(["POST"])
def login_passkey_options(request):
    """The security-key options for the user half-way through logging in (static/js/webauthn.js)."""
    from django.http import HttpResponse, JsonResponse

    from qms import passkeys

    user, _ = pending_user(request)
    if user is None:
        return JsonResponse({"error": "Your login took too long or was not started. Log in again."}, status=400)
    try:
        return HttpResponse(passkeys.authentication_options(request, user, "login"), content_type="application/json")
    except passkeys.PasskeyRefused as exc:
        return JsonResponse({"error": exc.message}, status=400)


@login_not_required
@require_http_methods(["GET", "POST"])
def login_enrol(request):
    """The grace period is over: set up the authenticator before the login completes."""
    user, pending = pending_user(request)
    if user is None:
        return _expired(request)
    if pending.get("enrolled_here"):
        # Set up in this login (the code proved the new device): the recovery codes were shown.
        return finish_login(request, user, method=f"{pending['method']}+totp", backend=pending["backend"],
                            next_url=pending.get("next", ""))
    if mfa.is_enrolled(user):
        return redirect("login-verify")  # enrolled elsewhere meanwhile: prove it like any login
    form = CodeForm(request.POST or None)
    device = mfa.pending_device(user) or mfa.start_enrolment(user=user)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.confirm_enrolment(user=user, code=form.cleaned_data["code"])
        except mfa.MfaRefused as exc:
            form.add_error("code", exc.message)
        else:
            pending.update(at=int(time.time()), enrolled_here=True)  # time to copy the recovery codes
            request.session[PENDING] = pending
            return render(request, "registration/mfa_recovery_codes.html",
                          {"codes": codes, "continue_login": True})
    return render(request, "registration/mfa_setup.html", {
        "form": form, "qr": mfa.qr_data_uri(device), "secret": mfa.secret_text(device),
        "during_login": True, "pending_user": user,
    })
