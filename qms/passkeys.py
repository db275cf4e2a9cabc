"""Passkeys and security keys (WebAuthn) as a second factor beside TOTP (issue 17), on py_webauthn.

Why `webauthn` (py_webauthn, Duo Labs) rather than `fido2` (Yubico): both are
kept up and check attestation, origin, RP ID, challenge and the signature
counter; py_webauthn is only the relying-party side (four functions and
JSON helpers for the browser's options), which is all a server needs, while
fido2 also carries the client/CTAP side. The browser part is our own static
file (static/js/webauthn.js): no inline script, nothing from a CDN.

- Enrolment (security page): options with a one-time challenge kept in the
  session, the browser's answer checked, the key stored with the name the
  user gave it. A user may hold several keys; each can be removed (audited).
- Login, signing: `verify` checks an assertion for a purpose against the
  challenge issued for that purpose (used once), the stored public key and
  its counter (a counter going back — a cloned key — is refused).
- The two-factor policy (qms.mfa) counts a key as enrolment, and an
  administrator's reset removes keys like the app. A user whose first factor
  is a key gets recovery codes with it (qms.mfa.first_recovery_codes), made
  again after the key's answer (purpose "recovery").

The relying party is the site itself: WEBAUTHN_RP_ID and WEBAUTHN_ORIGIN
override what the request's host gives (behind a proxy that rewrites it).
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qms.audit import record_event
from qms.errors import DomainError
from qms.identity_models import WebAuthnCredential

CHALLENGE = "_qms_webauthn_{}"  # session key per purpose: {"challenge": b64url, "at": ts, "user": pk}
CHALLENGE_SECONDS = 300
PURPOSES = ("register", "login", "signing", "recovery")


class PasskeyRefused(DomainError):
    status_code = 400


def has_passkey(user) -> bool:
    if not getattr(user, "pk", None):
        return False
    cached = getattr(user, "_qms_has_passkey", None)
    if cached is None:
        cached = user._qms_has_passkey = WebAuthnCredential.objects.filter(user=user).exists()
    return cached


def _forget(user) -> None:
    for name in ("_qms_has_passkey", "_qms_mfa_enrolled"):
        if hasattr(user, name):
            delattr(user, name)


def keys_of(user):
    return WebAuthnCredential.objects.filter(user=user)


def rp_id(request) -> str:
    return settings.WEBAUTHN_RP_ID or request.get_host().rsplit(":", 1)[0].strip("[]")


def origin(request) -> str:
    return settings.WEBAUTHN_ORIGIN or f"{request.scheme}://{request.get_host()}"


def _store_challenge(request, purpose: str, user, challenge: bytes) -> None:
    from webauthn.helpers import bytes_to_base64url

    request.session[CHALLENGE.format(purpose)] = {
        "challenge": bytes_to_base64url(challenge), "at": int(time.time()), "user": user.pk}


def _take_challenge(request, purpose: str, user) -> bytes:
    from webauthn import base64url_to_bytes

    issued = request.session.pop(CHALLENGE.format(purpose), None)
    if (not isinstance(issued, dict) or issued.get("user") != user.pk
            or int(time.time()) - int(issued.get("at", 0)) > CHALLENGE_SECONDS):
        raise PasskeyRefused(_("The security key request expired or was already used. Try again."))
    return base64url_to_bytes(issued["challenge"])


def _descriptors(user):
    from webauthn.helpers.structs import AuthenticatorTransport, PublicKeyCredentialDescriptor

    known = {t.value for t in AuthenticatorTransport}
    return [PublicKeyCredentialDescriptor(id=bytes(k.credential_id),
                                          transports=[AuthenticatorTransport(t) for t in k.transports if t in known])
            for k in keys_of(user)]


# ------------------------------------------------------------------ enrolment
def registration_options(request, user) -> str:
    """The JSON options for navigator.credentials.create(); the challenge stays in the session."""
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    options = generate_registration_options(
        rp_id=rp_id(request), rp_name=settings.MFA_ISSUER, user_name=user.username,
        user_id=f"qms-user-{user.pk}".encode(), user_display_name=user.display_name,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED),
    )
    _store_challenge(request, "register", user, options.challenge)
    return options_to_json(options)


def register(request, *, user, name: str, credential: str) -> WebAuthnCredential:
    """Check the browser's answer to the registration options and keep the key."""
    from webauthn import verify_registration_response
    from webauthn.helpers.exceptions import InvalidRegistrationResponse

    name = (name or "").strip()
    if not name:
        raise PasskeyRefused(_("Give the security key a name, so you can tell your keys apart."))
    if len(name) > 60:
        raise PasskeyRefused(_("Keep the name of the security key to 60 characters."))
    if keys_of(user).filter(name__iexact=name).exists():
        raise PasskeyRefused(_("You already have a security key named “%(name)s”: choose another name.") % {"name": name})
    challenge = _take_challenge(request, "register", user)
    try:
        verified = verify_registration_response(
            credential=_parse(credential), expected_challenge=challenge,
            expected_rp_id=rp_id(request), expected_origin=origin(request))
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        record_event(actor=user, verb="mfa.passkey_refused", obj=user, data={"purpose": "register"},
                     comment=f"Security key not added: {str(exc)[:200]}")
        raise PasskeyRefused(_("The security key's answer was not accepted. Nothing was added.")) from exc
    if WebAuthnCredential.objects.filter(credential_id=verified.credential_id).exists():
        raise PasskeyRefused(_("This security key is already registered."))
    transports = (_parse(credential).get("response") or {}).get("transports") or []
    with transaction.atomic():
        key = WebAuthnCredential.objects.create(
            user=user, name=name, credential_id=verified.credential_id,
            public_key=verified.credential_public_key, sign_count=verified.sign_count,
            transports=[str(t)[:20] for t in transports][:8])
        record_event(actor=user, verb="mfa.passkey_added", obj=user, comment=f"Security key “{name}”")
    _forget(user)
    return key


@transaction.atomic
def remove(*, user, pk: int) -> None:
    key = keys_of(user).filter(pk=pk).first()
    if key is None:
        raise PasskeyRefused(_("No such security key on your account."))
    key.delete()
    _forget(user)
    record_event(actor=user, verb="mfa.passkey_removed", obj=user, comment=f"Security key “{key.name}”")
    from qms import mfa

    if not mfa.is_enrolled(user):
        mfa.drop_recovery_codes(user=user)  # no second factor left: nothing to recover


# ------------------------------------------------------------------ login and signing
def authentication_options(request, user, purpose: str) -> str:
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers.structs import UserVerificationRequirement

    if purpose not in ("login", "signing", "recovery"):
        raise PasskeyRefused(_("Unknown purpose for a security key."))
    if not has_passkey(user):
        raise PasskeyRefused(_("No security key is registered for this account."))
    options = generate_authentication_options(
        rp_id=rp_id(request), allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED)
    _store_challenge(request, purpose, user, options.challenge)
    return options_to_json(options)


def _parse(credential) -> dict:
    if isinstance(credential, dict):
        return credential
    try:
        value = json.loads(credential or "")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise PasskeyRefused(_("The security key's answer was not readable. Try again."))
    return value


def verify(request, *, user, credential: str, purpose: str, obj=None) -> str:
    """Check an assertion from one of `user`'s keys for `purpose`; returns "passkey".
    Raises PasskeyRefused with the reason, recorded in the trail."""
    from webauthn import base64url_to_bytes, verify_authentication_response
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse

    def refuse(comment, message):
        record_event(actor=user, verb="mfa.passkey_refused", obj=obj or user, comment=comment,
                     data={"purpose": purpose})
        raise PasskeyRefused(message)

    try:
        challenge = _take_challenge(request, purpose, user)
    except PasskeyRefused as exc:
        refuse("Security key answer without a current challenge (expired or replayed)", exc.message)
    try:
        data = _parse(credential)
    except PasskeyRefused as exc:
        refuse("Security key answer not readable (not JSON)", exc.message)
    try:
        raw_id = base64url_to_bytes(str(data.get("rawId") or data.get("id") or ""))
    except (ValueError, TypeError):
        raw_id = b""
    refusal = None
    with transaction.atomic():  # the refusal is recorded after it, so a rollback never loses it
        key = keys_of(user).select_for_update().filter(credential_id=raw_id).first()
        if key is None:
            refusal = ("A security key not registered for this account",
                       "That security key is not registered for your account.")
        else:
            try:
                verified = verify_authentication_response(
                    credential=data, expected_challenge=challenge, expected_rp_id=rp_id(request),
                    expected_origin=origin(request), credential_public_key=bytes(key.public_key),
                    credential_current_sign_count=key.sign_count)
            except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
                refusal = (f"Security key answer refused: {str(exc)[:200]}",
                           "The security key's answer was not accepted.")
            else:
                key.sign_count = verified.new_sign_count
                key.last_used_at = timezone.now()
                key.save(update_fields=["sign_count", "last_used_at"])
    if refusal:
        refuse(*refusal)
    return "passkey"
