"""How a signer re-proves identity at the moment of signing (issue 17;
21 CFR 11.200(a), Annex 11 §14). Used by qms.signatures.authenticate_signer.

- A local account: its password, checked again.
- An LDAP account (no password of ours): a fresh bind to the directory with the password typed.
- A single sign-on account (no password at all): its second factor; being
  logged in is never enough.
- When the user is enrolled in two-factor authentication, the code from the
  app (or a recovery code) as well.

The code reaches the check through `second_factor(code)` (the signing form
opens it in `SignatureForm.signing()`): services keep their `password=`
argument, and a service that checks twice (before and inside its
transaction) uses the code once — a TOTP code cannot be used twice.

The returned method is stored on the Signature ("password", "password+totp",
"ldap+recovery", "totp", ...).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from qms import mfa
from qms.audit import record_event
from qms.errors import SignatureRefused
from qms.identity_models import AccountSecurity

_factor: ContextVar[dict | None] = ContextVar("qms_signature_factor", default=None)

DECLARATION_MISSING = (
    "Before your first electronic signature, make the signature declaration on your Security page "
    "(your user menu → Security). Nothing was signed."
)


@contextmanager
def second_factor(code: str, passkey: str = ""):
    """Within this block, signing uses `code` (or the security key's answer `passkey`) as the second factor (once)."""
    reset = _factor.set({"code": code or "", "passkey": passkey or "", "proved": None})
    try:
        yield
    finally:
        _factor.reset(reset)


def require_declaration(user) -> None:
    if settings.SIGNATURE_DECLARATION_REQUIRED and not AccountSecurity.objects.filter(
            user_id=user.pk, declared_at__isnull=False).exists():
        raise SignatureRefused(DECLARATION_MISSING)


def is_sso_account(user) -> bool:
    return not user.has_usable_password() and not _is_ldap_account(user)


def _is_ldap_account(user) -> bool:
    from qms import ldap

    return ldap.enabled() and ldap.is_ldap_user(user)


def _refuse(user, obj, meaning, comment, message):
    record_event(actor=user, verb="signature.refused", obj=obj, comment=comment, data={"meaning": meaning})
    raise SignatureRefused(message)


def prove(user, password: str, *, obj=None, meaning: str = "") -> str:
    factor = _factor.get()
    if factor is not None and factor.get("method"):
        return factor["method"]  # proved once for this signing (a service checks before and inside its transaction)
    method = _prove(user, password, obj=obj, meaning=meaning)
    if factor is not None:
        factor["method"] = method
    return method


def _prove(user, password: str, *, obj=None, meaning: str = "") -> str:
    if user.has_usable_password():
        if not password or not user.check_password(password):
            _refuse(user, obj, meaning, "Wrong password at signing",
                    _("The password is not correct. Nothing was signed."))
        first = "password"
    elif _is_ldap_account(user):
        from qms import ldap

        if not password or not ldap.check_password(user, password):
            _refuse(user, obj, meaning, "Directory (LDAP) refused the password at signing",
                    _("The password is not correct. Nothing was signed."))
        first = "ldap"
    else:
        from qms import sso
        from qms.middleware import current_request

        if how := sso.take_reauthentication(current_request(), user):
            return how  # a fresh login at the provider, its time checked (qms/oidc.py, qms/saml.py)
        first = ""  # single sign-on: otherwise the second factor proves it
    if mfa.is_enrolled(user):
        how = _second_factor(user, obj, meaning)
        return f"{first}+{how}" if first else how
    if not first:
        _refuse(user, obj, meaning, "Single sign-on account without a second factor",
                _("Your account signs in through single sign-on: confirm your identity at your identity provider "
                  "first (the link in the signing form), or set up two-factor authentication. Nothing was signed."))
    return first


def _second_factor(user, obj, meaning) -> str:
    factor = _factor.get()
    if factor is not None and factor["proved"]:
        return factor["proved"]
    code = factor["code"] if factor is not None else ""
    answer = factor.get("passkey", "") if factor is not None else ""
    if answer.strip():
        from qms import passkeys
        from qms.middleware import current_request

        request = current_request()
        if request is None or not passkeys.has_passkey(user):
            _refuse(user, obj, meaning, "Security key answer without a key or a request",
                    _("No security key is registered for your account. Nothing was signed."))
        try:
            how = passkeys.verify(request, user=user, credential=answer, purpose="signing", obj=obj)
        except passkeys.PasskeyRefused as exc:
            raise SignatureRefused(_("%(reason)s Nothing was signed.") % {"reason": exc.message}) from exc
        if factor is not None:
            factor["proved"] = how
        return how
    if not code.strip():
        message = (_("Enter the code from your authenticator app, or use your security key, to sign. Nothing was signed.")
                   if mfa.has_totp(user) else _("Use your security key to sign. Nothing was signed."))
        _refuse(user, obj, meaning, "No second factor at signing", message)
    if not mfa.has_totp(user):
        _refuse(user, obj, meaning, "A code at signing without an authenticator app",
                _("Your account has no authenticator app: use your security key to sign. Nothing was signed."))
    try:
        how = mfa.verify(user=user, code=code, purpose="signing", obj=obj)
    except mfa.MfaRefused as exc:
        raise SignatureRefused(_("%(reason)s Nothing was signed.") % {"reason": exc.message}) from exc
    if factor is not None:
        factor["proved"] = how
    return how


def shape_form(form: forms.Form, user) -> None:
    """The signing form asks for what this signer needs: the code only when
    enrolled; no password for a single sign-on account."""
    from qms import passkeys

    if user is None or not getattr(user, "pk", None):
        form.fields.pop("otp_code", None)
        form.fields.pop("passkey", None)
        return
    if mfa.has_totp(user):
        form.fields["otp_code"].required = not passkeys.has_passkey(user)  # either the code or the key
    else:
        form.fields.pop("otp_code", None)
    if passkeys.has_passkey(user):
        from django.urls import reverse

        form.passkey_options_url = reverse("passkey-options", args=["signing"])
    else:
        form.fields.pop("passkey", None)
    if is_sso_account(user):
        from django.urls import reverse

        from qms import oidc, saml

        form.fields["password"].required = False
        form.fields["password"].widget = forms.HiddenInput()
        if oidc.enabled() or saml.enabled():
            form.reauth_url = reverse("oidc-reauth" if oidc.enabled() else "saml-reauth")
            if "otp_code" in form.fields:
                form.fields["otp_code"].required = False  # either the fresh provider login or the code
