"""The shared core: users and organisation, ISO clauses, audit events,
electronic signatures, notifications and background job rows."""

import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from qms.history import HistoricalRecords
from qms.i18n import validate_time_zone


class Department(models.Model):
    code = models.CharField(max_length=10, unique=True, help_text=_("Short code used in document numbers, e.g. QA"))
    name = models.CharField(max_length=100)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="managed_departments"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.name}"


class Process(models.Model):
    """A QMS process (ISO 9001 4.4): what audits cover and documents support."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="processes")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_processes"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "processes"

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person. Deactivated, never deleted (21 CFR 11.100(a): signatures stay theirs)."""

    full_name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    # The user's own preferences (issue 20): blank follows the browser's
    # Accept-Language and the site's TIME_ZONE. Effective and due dates stay in
    # the site's zone whatever the user picks; only the display moves.
    language = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES,
                                help_text=_("Blank: the language your browser asks for."))
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, validators=[validate_time_zone],
                                 help_text=_("Blank: the site's time zone."))
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=[AbstractUser.groups.field])

    class Meta:
        ordering = ["full_name", "username"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Clause(models.Model):
    """ISO 9001:2015 clause numbers with our own short titles (never the standard's text)."""

    class DocumentedInfo(models.TextChoices):
        NONE = "", "—"
        MAINTAIN = "maintain", _("Maintain (document)")
        RETAIN = "retain", _("Retain (record)")
        BOTH = "both", _("Maintain and retain")

    number = models.CharField(max_length=12, unique=True)
    title = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    documented_info = models.CharField(max_length=10, choices=DocumentedInfo.choices, blank=True)
    note = models.CharField(max_length=300, blank=True, help_text=_("What documented information is asked for"))
    sort_key = models.CharField(max_length=40, db_index=True, editable=False)

    class Meta:
        ordering = ["sort_key"]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("clause-detail", args=[self.number])

    @property
    def depth(self) -> int:
        return self.number.count(".")

    @property
    def asks_maintain(self) -> bool:
        return self.documented_info in (self.DocumentedInfo.MAINTAIN, self.DocumentedInfo.BOTH)

    @property
    def asks_retain(self) -> bool:
        return self.documented_info in (self.DocumentedInfo.RETAIN, self.DocumentedInfo.BOTH)

    @staticmethod
    def make_sort_key(number: str) -> str:
        return ".".join(f"{int(p):03d}" for p in number.split("."))


class AuditEvent(models.Model):
    """One row per state transition or security event, append-only
    (a PostgreSQL trigger refuses UPDATE and DELETE)."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True, help_text=_("Name at the time, or the username tried"))
    verb = models.CharField(max_length=60, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="qms_auditevent_object_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb} {self.object_repr}"


class Signature(models.Model):
    """An electronic signature (21 CFR 11.50/11.70): who, printed name, server UTC
    time, meaning, comment, and a SHA-256 of the canonical content signed."""

    class Meaning(models.TextChoices):
        AUTHORED = "authored", _("Authored")
        REVIEWED = "reviewed", _("Reviewed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        VERIFIED = "verified", _("Verified")
        READ = "read", _("Read and understood")
        PERIODIC_REVIEW = "periodic_review", _("Periodic review: no change needed")
        ISSUED = "issued", _("Issued")
        CLOSED = "closed", _("Closed")
        DISPOSED = "disposed", _("Disposition approved")
        EFFECTIVE = "effective", _("Verified effective")
        # Not an electronic signature: an approval given on paper (or in another
        # system) before this one, recorded by whoever imported it (intake/).
        # `signer` is the importer; `printed_name` the approver as the old register names them.
        IMPORTED = "imported", _("Approved outside this system (imported record, not an e-signature)")

    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures")
    printed_name = models.CharField(max_length=150)
    signed_at = models.DateTimeField()
    meaning = models.CharField(max_length=30, choices=Meaning.choices)
    comment = models.TextField(blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    content_hash = models.CharField(max_length=64)
    # The signing form's one-time token: a repeated post of the same form (a
    # double click) finds this signature instead of signing twice.
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False)
    # How the signer re-proved identity at signing (issue 17): password, password+totp, ...
    method = models.CharField(max_length=30, blank=True, default="password")

    class Meta:
        ordering = ["signed_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="qms_signature_object_idx")]

    def __str__(self):
        if self.is_imported:
            return (f"{self.printed_name} – approved outside this system on {self.signed_at:%Y-%m-%d} – "
                    f"recorded by {self.signer.display_name}")
        with translation.override(None):  # may be stored (object_repr): untranslated
            return f"{self.printed_name} – {self.get_meaning_display()} – {self.signed_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_imported(self) -> bool:
        """A historic approval recorded at import: never an e-signature of this system."""
        return self.meaning == self.Meaning.IMPORTED

    def is_valid(self) -> bool:
        """False when the signed object's content changed since signing."""
        from qms.signatures import content_hash

        target = self.target
        return target is not None and content_hash(target.signature_content()) == self.content_hash


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    # In English, and as msgid + params for the reader's language (qms.stored_text):
    # a notification is written before anyone reads it, in whatever language.
    title = models.CharField(max_length=200)
    title_i18n = models.JSONField(null=True, blank=True, editable=False)
    body = models.TextField(blank=True)
    body_i18n = models.JSONField(null=True, blank=True, editable=False)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="qms_notification_unread_idx")]

    def __str__(self):
        return self.title


class Job(models.Model):
    """A user-visible background job (a PDF, a manual, an export) and its result file."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)  # the attempt number: the running attempt owns the job
    # The running attempt's lease (qms/jobs.py): renewed by its heartbeat every
    # few seconds; once it has passed, the sweep gives the job to a new attempt.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Percent, where it can be known"))
    error = models.TextField(blank=True)
    error_i18n = models.JSONField(null=True, blank=True, editable=False)  # the error for the reader (qms.stored_text)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    params = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="jobs/%Y/%m/", blank=True, max_length=300)
    filename = models.CharField(max_length=200, blank=True)
    content_type_header = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.kind} {self.public_id} ({self.status})"

    def get_absolute_url(self):
        return reverse("job-detail", args=[self.public_id])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def is_silent(self) -> bool:
        """Running, but its worker has not renewed the lease in time (it died,
        or the database could not be reached): the requester may retry."""
        return self.status == self.Status.RUNNING and self.lease_until is not None and self.lease_until < timezone.now()


def sha256_of(fileobj) -> str:
    """SHA-256 of a file-like object, read in chunks, rewound afterwards."""
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


class DigestLog(models.Model):
    """One row per user and day a reminder digest was claimed (issue 4).

    The row is inserted, under a unique (user, date) constraint, BEFORE the
    e-mail is sent: a second run, or a second beat, cannot insert it again and
    so sends nothing. A failed send leaves the row `failed` for a later run the
    same day to claim again; see qms/digest.py."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    item_count = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-date", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="qms_digestlog_one_per_user_day")]

    def __str__(self):
        return f"digest {self.date} for user {self.user_id} ({self.status})"


class TextExtraction(models.Model):
    """The text read from one stored file (qms/textract.py): its text layer,
    its DOCX text, or OCR of a scan or image. One row per storage name; the
    searchable PDF that OCR produces is stored beside the original, which is
    never altered."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Text extracted")
        FAILED = "failed", _("Failed")

    file = models.CharField(max_length=300, unique=True, help_text=_("Storage name of the original"))
    original_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, help_text=_("Of the original, when it was read"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    method = models.CharField(max_length=40, blank=True, help_text=_("text layer, docx, ocr, text layer + ocr"))
    text = models.TextField(blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    ocr_pages = models.PositiveIntegerField(default=0)
    languages = models.CharField(max_length=60, blank=True)
    notice = models.TextField(blank=True, help_text=_("What was skipped or cut, in words for the reader"))
    notice_i18n = models.JSONField(null=True, blank=True, editable=False)  # qms.stored_text
    # OCR was skipped (Tesseract or a language missing): `extract_texts --skipped` reads these again.
    ocr_skipped = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    error_i18n = models.JSONField(null=True, blank=True, editable=False)
    searchable_pdf = models.CharField(max_length=300, blank=True, help_text=_("Storage name of the OCR'd copy"))
    searchable_sha256 = models.CharField(max_length=64, blank=True)
    searchable_size = models.PositiveBigIntegerField(null=True, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"text of {self.original_name or self.file} ({self.status})"


# Identity state (issue 17): signature declaration, forced password change, password history, sessions, passkeys.
from qms.identity_models import (  # noqa: E402,F401
    AccessReview,
    AccountSecurity,
    PasswordHistory,
    UserSession,
    WebAuthnCredential,
)
