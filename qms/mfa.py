"""Two-factor authentication (issue 17): TOTP with recovery codes, on django-otp.

Why django-otp rather than allauth's MFA: our login, lockout (axes) and
signing are our own views; django-otp gives the device models, the RFC 6238
check with replay protection (`last_t`) and throttling, and nothing else, so
the login flow, the policy and the audit events stay in this module. allauth
would replace the whole account flow (login, password change, sessions) to
get the same.

- A user enrols from their security page: a QR code (qrcode, as SVG) of the
  otpauth:// URL, confirmed by one code; then ten recovery codes are shown once.
  A user whose first second factor is a security key (qms/passkeys.py) gets
  them when the key is added. They are stored as a keyed hash (HMAC-SHA256
  with SECRET_KEY, in django-otp's StaticToken), never as the code itself;
  each works once, and new ones (after the app's code or the key) replace all.
- The policy (settings.MFA_REQUIRED_ROLES, default Quality Manager, Approver,
  Administrator = Django staff, External Auditor) makes it compulsory after
  MFA_GRACE_DAYS counted from the first login the policy applied to.
- `verify` checks a code for a purpose (login, signing, a settings change):
  a wrong code and a replayed one (a code already used) are refused with
  their own message and audit event.
- `reset` (an administrator, with a reason) removes a user's devices; audited.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qms.audit import record_event
from qms.errors import DomainError
from qms.identity_models import security_of
from qms.permissions import roles

ADMINISTRATOR = "Administrator"
RECOVERY_NAME = "recovery codes"


class MfaRefused(DomainError):
    status_code = 400


# ------------------------------------------------------------------ policy
def enrolled_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first() if getattr(user, "pk", None) else None


def has_totp(user) -> bool:
    """An authenticator app is set up. Read once per user object (a page may build several signing forms)."""
    if not getattr(user, "pk", None):
        return False
    cached = getattr(user, "_qms_mfa_enrolled", None)
    if cached is None:
        cached = user._qms_mfa_enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return cached


def is_enrolled(user) -> bool:
    """A second factor is set up: the authenticator app, a security key (qms/passkeys.py), or both."""
    from qms import passkeys

    return has_totp(user) or passkeys.has_passkey(user)


def _forget(user) -> None:
    if hasattr(user, "_qms_mfa_enrolled"):
        del user._qms_mfa_enrolled


def required_roles(user) -> list[str]:
    """The user's roles for which the policy asks for a second factor."""
    wanted = set(settings.MFA_REQUIRED_ROLES)
    held = set(roles(user)) & wanted
    if ADMINISTRATOR in wanted and (user.is_staff or user.is_superuser):
        held.add(ADMINISTRATOR)
    return sorted(held)


def is_required(user) -> bool:
    return bool(required_roles(user))


def grace_until(user):
    """When enrolment becomes compulsory for `user` (set the first time the policy applies)."""
    security = security_of(user)
    if security.mfa_grace_until is None:
        security.mfa_grace_until = timezone.now() + timedelta(days=settings.MFA_GRACE_DAYS)
        security.save(update_fields=["mfa_grace_until"])
    return security.mfa_grace_until


@dataclass(frozen=True)
class Standing:
    """Where a user stands with the policy at login."""

    enrolled: bool
    required: bool
    deadline: object = None  # datetime, when required and not enrolled

    @property
    def must_enrol_now(self) -> bool:
        return self.required and not self.enrolled and self.deadline is not None and timezone.now() >= self.deadline

    @property
    def in_grace(self) -> bool:
        return self.required and not self.enrolled and not self.must_enrol_now


def standing(user) -> Standing:
    enrolled = is_enrolled(user)
    required = is_required(user)
    deadline = grace_until(user) if required and not enrolled else None
    return Standing(enrolled=enrolled, required=required, deadline=deadline)


# ------------------------------------------------------------------ enrolment
def start_enrolment(*, user) -> TOTPDevice:
    """A new, unconfirmed TOTP device (an earlier unconfirmed one is replaced)."""
    if has_totp(user):
        raise MfaRefused(_("Two-factor authentication is already set up. Reset it first to enrol a new device."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def confirm_enrolment(*, user, code: str) -> list[str]:
    """Confirm the pending device with one code from the app; returns the new recovery codes."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
        if device is None:
            raise MfaRefused(_("Start the set-up again: no authenticator is waiting to be confirmed."))
        if _check_totp(device, code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            _forget(user)
            codes = _new_recovery_codes(user)
            record_event(actor=user, verb="mfa.enrolled", obj=user, comment="Authenticator app (TOTP)")
            return codes
    record_event(actor=user, verb="mfa.enrol_failed", obj=user, comment="Wrong code while setting up")
    raise MfaRefused(_("That code is not correct. Check the time on your phone and enter the current code."))


def regenerate_recovery_codes(*, user, code: str = "", request=None, passkey: str = "") -> list[str]:
    """New recovery codes (the old ones stop working), after a current code from the app, or, for
    a user with a security key, the key's answer `passkey`. The check runs outside the
    transaction, so a refused code stays recorded."""
    if passkey.strip():
        from qms import passkeys

        passkeys.verify(request, user=user, credential=passkey, purpose="recovery")
    elif has_totp(user) or not code.strip():
        verify(user=user, code=code, purpose="recovery codes", allow_recovery=False)
    else:
        raise MfaRefused(_("Use your security key to make new recovery codes."))
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record_event(actor=user, verb="mfa.recovery_regenerated", obj=user)
    return codes


def first_recovery_codes(*, user) -> list[str]:
    """Recovery codes for a user whose first second factor was just added (a security key):
    new ones when they have none, else [] (the ones they hold stay)."""
    if has_recovery_codes(user):
        return []
    codes = _new_recovery_codes(user)
    record_event(actor=user, verb="mfa.recovery_issued", obj=user, comment="With the first security key")
    return codes


def has_recovery_codes(user) -> bool:
    return StaticDevice.objects.filter(user=user, name=RECOVERY_NAME).exists()


def drop_recovery_codes(*, user) -> None:
    """No second factor is left (the last key removed): the recovery codes go too."""
    StaticDevice.objects.filter(user=user).delete()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


def _hashed(code: str) -> str:
    """What is stored for a recovery code: a keyed hash, 16 hex digits (StaticToken.token's length)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"qms-recovery:" + code.strip().lower().encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=_hashed(c)) for c in codes])
    return codes


@transaction.atomic
def reset(*, actor, user, reason: str) -> None:
    """An administrator removes a user's second factor (a lost phone). Audited; the
    user must enrol again (at once, if the policy requires it and the grace is over)."""
    if not (actor.is_staff or actor.is_superuser):
        raise MfaRefused(_("Only an administrator can reset someone's two-factor authentication."))
    if not reason.strip():
        raise MfaRefused(_("Give the reason for the reset."))
    from qms import passkeys

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    keys = list(passkeys.keys_of(user).values_list("name", flat=True))
    passkeys.keys_of(user).delete()
    passkeys._forget(user)
    _forget(user)
    if keys:
        reason = f"{reason.strip()} (security keys removed: {', '.join(keys)})"
    record_event(actor=actor, verb="mfa.reset", obj=user, comment=reason.strip())


# ------------------------------------------------------------------ verification
def _check_totp(device: TOTPDevice, code: str) -> bool:
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != device.digits:
        return False
    return device.verify_token(code)


def _was_used(device: TOTPDevice, code: str) -> bool:
    """The code is right for a time step already used (a replay), not just wrong."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return False
    now_t = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    recent = range(max(0, now_t - device.tolerance - 2), device.last_t + 1)
    return any(hotp(device.bin_key, t, digits=device.digits) == int(code) for t in recent)


def verify(*, user, code: str, purpose: str, obj=None, allow_recovery: bool = True) -> str:
    """Check `code` (an app code, or a recovery code) for `purpose`; returns the
    method ("totp" or "recovery"). A user with only a security key (no app) may
    give a recovery code. Raises MfaRefused with the reason, recorded."""
    code = (code or "").strip().replace(" ", "").replace("-", "")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            if not (allow_recovery and has_recovery_codes(user)):
                raise MfaRefused(_("Two-factor authentication is not set up for this account."))
            if code and not code.isdigit() and _use_recovery(user, code.lower()):
                return _recovery_used(user, obj, purpose)
            refusal = ("mfa.refused", "The recovery code is not correct (or was already used).")
        else:
            allowed, info = device.verify_is_allowed()
            if not allowed:
                wait = max(1, int(((info or {}).get("locked_until", timezone.now()) - timezone.now()).total_seconds()) + 1)
                message = f"Too many wrong codes. Wait {wait} seconds and try again."
                refusal = ("mfa.throttled", message)
            elif code.isdigit() and _check_totp(device, code):
                return "totp"
            elif code.isdigit() and _was_used(device, code):
                refusal = ("mfa.replayed", "That code was already used. Wait for the next code from your app.")
            elif allow_recovery and not code.isdigit() and code and _use_recovery(user, code.lower()):
                return _recovery_used(user, obj, purpose)
            else:
                refusal = ("mfa.refused", "The code is not correct. Enter the current six-digit code from your app.")
    verb, message = refusal
    record_event(actor=user, verb=verb, obj=obj or user, comment=message, data={"purpose": purpose})
    raise MfaRefused(message)


def _recovery_used(user, obj, purpose: str) -> str:
    record_event(actor=user, verb="mfa.recovery_used", obj=obj or user, data={"purpose": purpose},
                 comment=f"{recovery_codes_left(user)} recovery codes left")
    return "recovery"


def _use_recovery(user, code: str) -> bool:
    """Use up a recovery code: its hash matches one stored (or, for codes made before they were
    hashed, the code itself; never a 16-digit text, which could be a stolen hash). Throttled."""
    device = StaticDevice.objects.select_for_update().filter(user=user, name=RECOVERY_NAME).first()
    if device is None or not device.verify_is_allowed()[0]:
        return False
    stored = {_hashed(code)} | ({code} if len(code) != len(_hashed(code)) else set())
    match = device.token_set.filter(token__in=stored).first()
    if match is None:
        device.throttle_increment()
        return False
    match.delete()
    device.throttle_reset()
    return True


# ------------------------------------------------------------------ QR code
def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG data: URI (our CSP allows data: images)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing in by hand."""
    key = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


# ------------------------------------------------------------------ the quality manager's overview
def enrolment_overview(users) -> dict[int, bool]:
    """{user id: enrolled} for a list of users, in one query."""
    ids = [u.pk for u in users]
    from qms.identity_models import WebAuthnCredential

    enrolled = set(TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True))
    enrolled |= set(WebAuthnCredential.objects.filter(user_id__in=ids).values_list("user_id", flat=True))
    return {pk: pk in enrolled for pk in ids}


def is_required_cheap(user, role_names) -> bool:
    """`is_required` from role names already read (the access review's rows)."""
    wanted = set(settings.MFA_REQUIRED_ROLES)
    return bool(wanted & set(role_names)) or (ADMINISTRATOR in wanted and (user.is_staff or user.is_superuser))
