"""Identity state per user (issue 17): what Part 11 / Annex 11 keep about an
account beyond its password — the one-time signature declaration, a forced
password change, the password history, and the sessions a user holds.

Imported by qms/models.py, so these are models of the `qms` app."""

from django.conf import settings
from django.db import models
from django.utils import timezone

DECLARATION_TEXT = (
    "I agree that my electronic signature is the legally binding equivalent of my handwritten signature."
)


class AccountSecurity(models.Model):
    """One row per user, made when first needed (`security_of`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security")
    # 21 CFR 11.100(c): the signer certifies once that the e-signature binds like a handwritten one.
    declared_at = models.DateTimeField(null=True, blank=True)
    declaration_text = models.TextField(blank=True)
    # An administrator set or reset the password: the user must choose their own at next login.
    must_change_password = models.BooleanField(default=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # The day two-factor enrolment becomes compulsory for this user (set the first time the policy applies).
    mfa_grace_until = models.DateTimeField(null=True, blank=True)
    # Where the account signs in: "" (local password), "ldap", "oidc".
    source = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = "account security"
        verbose_name_plural = "account security"

    def __str__(self):
        return f"security of user {self.user_id}"

    @property
    def has_declared(self) -> bool:
        return self.declared_at is not None


class PasswordHistory(models.Model):
    """Hashes of earlier passwords (settings.PASSWORD_HISTORY_COUNT), never the passwords."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "password history"

    def __str__(self):
        return f"password of user {self.user_id} set {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """A logged-in session as the user sees it on their sessions page (device, address, last seen)."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions")
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    # How this login proved identity: password, password+totp, password+recovery, ldap, oidc.
    method = models.CharField(max_length=30, blank=True)
    # A SAML login's subject and session at the identity provider: its logout request names them (qms/saml.py).
    saml_name_id = models.CharField(max_length=255, blank=True, db_index=True)
    saml_session_index = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-last_seen", "-id"]
        indexes = [models.Index(fields=["user", "last_seen"], name="qms_usersession_user_idx")]

    def __str__(self):
        return f"session of user {self.user_id} from {self.ip_address or 'unknown'}"


class AccessReview(models.Model):
    """A signed periodic access review (qms/access_review.py): the list as the
    quality manager saw and signed it, kept as it was."""

    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rows = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Access review {self.created_at:%Y-%m-%d}"

    def signature_content(self) -> dict:
        return {"rows": self.rows}


def security_of(user) -> AccountSecurity:
    """The user's AccountSecurity row, made on first use."""
    cached = getattr(user, "_qms_security", None)
    if cached is not None:
        return cached
    row, _ = AccountSecurity.objects.get_or_create(user=user)
    user._qms_security = row
    return row


class WebAuthnCredential(models.Model):
    """A passkey or security key (WebAuthn, qms/passkeys.py) a user enrolled as a second factor."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webauthn_credentials")
    name = models.CharField(max_length=60)
    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "security key"

    def __str__(self):
        return f"security key “{self.name}” of user {self.user_id}"
