"""Personal access tokens and the log of every request made with one."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalAccessToken(models.Model):
    """A user's token for scripts and integrations: `qms_<key_id>.<secret>`.

    Only an HMAC of the secret is stored (shown once, never again). A token
    never grants more than its owner's rules: read-only narrows further, and an
    external auditor's token is always read-only and ends with their window."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_id = models.CharField(max_length=16, unique=True, help_text=_("The public part, for lookup"))
    digest = models.CharField(max_length=64, help_text=_("HMAC-SHA256 of the secret"))
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


class WebhookEndpoint(models.Model):
    """An HTTPS receiver the quality manager registered for some event kinds
    (api.webhooks.CATALOGUE). Its signing secret is shown once and stored
    encrypted (api.webhooks.seal), since it must be read back to sign."""

    name = models.CharField(max_length=100)
    url = models.CharField(max_length=500)
    events = models.JSONField(default=list, help_text=_("The event kinds (audit verbs) it receives"))
    secret_sealed = models.TextField(blank=True, help_text=_("The signing secret, encrypted with the server's key"))
    secret_hint = models.CharField(max_length=12, blank=True, help_text=_("The secret's first characters, to recognise it"))
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.url})"

    @property
    def state(self) -> str:
        if self.deleted_at is not None:
            return "deleted"
        return "active" if self.is_active else "disabled"


class WebhookDelivery(models.Model):
    """One event sent to one endpoint: a job row (kind "webhook_delivery") tries
    it with backoff until the receiver answers 2xx or the tries run out."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    event = models.CharField(max_length=60)
    event_id = models.UUIDField(help_text=_("The event's id: the same for a redelivery, so receivers can de-duplicate"))
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_i18n = models.JSONField(null=True, blank=True, editable=False)  # the error for the reader (qms.stored_text)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    job = models.ForeignKey("qms.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    redelivery_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "created_at"], name="api_webhookdel_endpoint_idx")]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery (append-only): the delivery log."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.PROTECT, related_name="tries")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    error_i18n = models.JSONField(null=True, blank=True, editable=False)  # qms.stored_text
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"
