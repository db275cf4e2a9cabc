"""External auditor access grants, their access log, and evidence requests."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.history import HistoricalRecords
from qms.models import Clause, Process


class AuditorAccess(models.Model):
    """A certification-body auditor's time-limited, scoped, read-only access
    (ISO/IEC 17021-1 §9; ACC-08). One grant per external auditor account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="auditor_access")
    organisation = models.CharField(max_length=150)
    audit_reference = models.CharField(max_length=200, help_text=_("e.g. ISO 9001 stage 2 certification audit"))
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    all_scope = models.BooleanField(default=False, help_text=_("Everything (otherwise only the clauses and processes below)"))
    clauses = models.ManyToManyField(Clause, blank=True, related_name="+")
    processes = models.ManyToManyField(Process, blank=True, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoke_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords(m2m_fields=[clauses, processes])

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")), name="auditor_auditoraccess_window_order"
            )
        ]
        verbose_name_plural = "auditor access grants"

    def __str__(self):
        return f"{self.user.display_name} ({self.organisation})"

    def get_absolute_url(self):
        return reverse("auditor:access-detail", args=[self.pk])

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.valid_from <= at < self.valid_until

    @property
    def state(self) -> str:
        now = timezone.now()
        if self.revoked_at:
            return "revoked"
        if now < self.valid_from:
            return "not yet open"
        if now >= self.valid_until:
            return "expired"
        return "open"


class AccessLogEntry(models.Model):
    """Every page and file an external auditor views (append-only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    view_name = models.CharField(max_length=120, blank=True)
    status_code = models.PositiveSmallIntegerField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="auditor_accesslog_user_at_idx")]
        verbose_name_plural = "access log entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.user} {self.method} {self.path} {self.status_code}"


class EvidenceRequest(models.Model):
    """An auditor asks for evidence; the quality manager or an owner answers."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    subject = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    page_url = models.CharField(max_length=500, blank=True, help_text=_("The page the auditor asked from"))
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence_requests")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"ER-{self.pk:04d} {self.subject}"

    def get_absolute_url(self):
        return reverse("auditor:request-detail", args=[self.pk])


class EvidenceLink(models.Model):
    """One piece of evidence given in answer: a document, an exact revision, a
    record, or an uploaded file."""

    request = models.ForeignKey(EvidenceRequest, on_delete=models.PROTECT, related_name="links")
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    label = models.CharField(max_length=250)
    url = models.CharField(max_length=300, blank=True)
    file = models.CharField(max_length=300, blank=True, help_text=_("Storage name of an uploaded file"))
    original_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type_header = models.CharField(max_length=100, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self):
        return self.label


class PackSeal(models.Model):
    """The server's record of a built evidence pack: the SHA-256 of its signed
    manifest, so the verifier can say which pack an upload is, when and for
    whom it was built, and that it is unchanged. Written in the same
    transaction as the job's "ready"; never changed afterwards."""

    pack_id = models.CharField(max_length=40, unique=True)
    manifest_sha256 = models.CharField(max_length=64, unique=True)
    job = models.OneToOneField("qms.Job", on_delete=models.PROTECT, related_name="pack_seal")
    title = models.CharField(max_length=300)
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    built_by_name = models.CharField(max_length=200)
    built_at = models.DateTimeField()
    files = models.PositiveIntegerField()
    key_id = models.CharField(max_length=16)

    class Meta:
        verbose_name = "evidence pack seal"

    def __str__(self):
        return self.pack_id
