"""Personal access tokens and the log of every request made with one."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class PersonalAccessToken(models.Model):
    """A user's token for scripts and integrations: `qms_<key_id>.<secret>`.

    Only an HMAC of the secret is stored (shown once, never again). A token
    never grants more than its owner's rules: read-only narrows further, and an
    external auditor's token is always read-only and ends with their window."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_id = models.CharField(max_length=16, unique=True, help_text="The public part, for lookup")
    digest = models.CharField(max_length=64, help_text="HMAC-SHA256 of the secret")
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")),
                                   name="api_personalaccesstoken_expires_after_creation"),
        ]

    def __str__(self):
        return f"{self.name} ({self.key_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.expires_at > timezone.now() else "expired"


class TokenUse(models.Model):
    """Every request made with a token (append-only): the API's access log."""

    token = models.ForeignKey(PersonalAccessToken, on_delete=models.PROTECT, related_name="uses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["token", "at"], name="api_tokenuse_token_at_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.token_id} {self.method} {self.path} {self.status_code}"
