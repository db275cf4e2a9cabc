"""Quality records (ISO 9001 7.5.3 and the "retain" clauses): record types with
versioned form definitions, and the records staff submit under them.

Records are locked on submit; corrections are amendments with a reason; no
record is ever deleted (void with a reason; disposition leaves a tombstone).
States and their allowed moves live beside the model; records/services.py is
the only code that changes `status`.
"""

import re
import string
import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from qms.history import HistoricalRecords
from qms.models import Clause

# Field types of the form builder, in the order the builder offers them.
FIELD_TYPES = [
    ("text", _("Text")),
    ("longtext", _("Long text")),
    ("number", _("Number")),
    ("date", _("Date")),
    ("choice", _("Choice (one)")),
    ("multichoice", _("Choice (several)")),
    ("checkbox", _("Checkbox")),
    ("user", _("User")),
    ("file", _("File")),
    # An object another app registers (a supplier, a measuring instrument): qms.references.
    ("reference", _("Reference (supplier, instrument…)")),
]
FIELD_TYPE_LABELS = dict(FIELD_TYPES)

# Numbers: what Record.number holds, and the characters that sit in a URL
# segment (/records/<number>/) without escaping.
NUMBER_MAX_LENGTH = 40
NUMBER_CHARS = re.compile(r"^[A-Za-z0-9._-]+$")
PLACEHOLDERS = ("code", "year", "seq")
MAX_RETENTION_YEARS = 100
LONGEST_SEQ = 9_999_999  # the most records of one type in one year any pattern must be able to number


def numbering_problem(pattern: str, code: str = "") -> str | None:
    """Why `pattern` cannot number records of type `code`, or None.

    Checked by rendering the numbers it produces, the longest included (the
    code as given or 12 characters, any year of the date window, up to
    LONGEST_SEQ records a year): a pattern whose number would not fit
    Record.number would otherwise pass and make every new record fail."""
    from qms.dates import latest

    try:
        placeholders = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(pattern)
                        if name is not None]
    except ValueError:
        return gettext("The pattern's braces do not match: write placeholders as {code}, {year} and {seq:05}.")
    # No attribute or index access ({seq.real}), no conversion ({code!r}), no nested fields in a width.
    if any(name not in PLACEHOLDERS or conv or "{" in spec for name, spec, conv in placeholders):
        return gettext("Use only {code}, {year} and {seq} as placeholders (with a width, e.g. {seq:05}).")
    if "seq" not in {name for name, _, _ in placeholders}:
        return gettext("The pattern needs {seq} (for example {seq:05}).")
    code = code or "X" * 12
    try:
        numbers = [pattern.format(code=code, year=year, seq=seq)
                   for year in (1990, latest().year) for seq in (1, 2, 10, LONGEST_SEQ)]
    except (KeyError, ValueError, IndexError, TypeError):
        return gettext("Use {code}, {year} and {seq} with widths only (e.g. {seq:05}).")
    longest = max(numbers, key=len)
    if len(longest) > NUMBER_MAX_LENGTH:
        return gettext("Numbers from this pattern can reach %(length)s characters (%(example)s…); "
                       "a record number holds at most %(max)s.") % {
            "length": len(longest), "example": longest[:50], "max": NUMBER_MAX_LENGTH}
    if not all(NUMBER_CHARS.match(n) for n in numbers):
        return gettext("A number may hold only letters, digits, hyphens, dots and underscores (it appears in links).")
    return None


# A record is "overdue for verification" when it waits longer than this.
VERIFICATION_DUE_DAYS = 7


class RecordTypeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class RecordType(models.Model):
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    numbering_pattern = models.CharField(
        max_length=60, default="{code}-{year}-{seq:05}", help_text=_("Placeholders: {code}, {year}, {seq:05}")
    )
    clauses = models.ManyToManyField(Clause, blank=True, related_name="record_types")
    retention_years = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Empty = kept permanently"))
    verification_required = models.BooleanField(default=False)
    form_document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="record_types",
        help_text=_("The controlled form (FRM) this record type implements"),
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords(m2m_fields=[clauses])

    objects = RecordTypeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.code} – {self.name}"

    def get_absolute_url(self):
        return reverse("records:type-detail", args=[self.code])

    def clean(self):
        errors = {}
        problem = numbering_problem(self.numbering_pattern or "", self.code or "")
        if problem:
            errors["numbering_pattern"] = problem
        if self.retention_years is not None and self.retention_years > MAX_RETENTION_YEARS:
            # retain_until is a date: 32767 years ahead is past year 9999 (every submission failed).
            errors["retention_years"] = gettext("At most %(max)s years; for longer, tick “Keep permanently”.") % {
                "max": MAX_RETENTION_YEARS}
        if errors:
            raise ValidationError(errors)

    @property
    def retention_label(self) -> str:
        if self.retention_years is None:
            return gettext("Permanent")
        return ngettext("%(count)s year", "%(count)s years", self.retention_years) % {"count": self.retention_years}

    def retain_until_from(self, start: date) -> date | None:
        """The retention rule: `retention_years` after `start`; None = permanent."""
        if self.retention_years is None:
            return None
        try:
            return start.replace(year=start.year + self.retention_years)
        except ValueError:  # 29 February in a non-leap target year
            return start.replace(year=start.year + self.retention_years, day=28)


class FormVersion(models.Model):
    """One version of a record type's form; records keep the version they were made under.

    `fields` is a list of definitions: {"key", "label", "type", "required", "help",
    "min", "max", "unit", "choices"}; records/forms.py turns it into a Django form.
    """

    record_type = models.ForeignKey(RecordType, on_delete=models.PROTECT, related_name="form_versions")
    version = models.PositiveIntegerField()
    fields = models.JSONField(default=list, help_text=_("List of typed field definitions"))
    # Cross-field rules (records/form_rules.py), checked at submit and amendment.
    rules = models.JSONField(default=list, blank=True, help_text=_("Cross-field rules"))
    note = models.CharField(max_length=300, blank=True, help_text=_("What changed in this version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["record_type", "version"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "version"], name="records_formversion_unique_version")
        ]

    def __str__(self):
        return f"{self.record_type.code} form v{self.version}"


class RecordQuerySet(models.QuerySet):
    def for_list(self):
        """The register's columns only: never the values or the search text."""
        return self.select_related("record_type", "created_by").only(
            "number", "status", "created_at", "submitted_at", "verified_at", "amendment_count",
            "legal_hold", "retain_until",
            "record_type__code", "record_type__name", "record_type__verification_required",
            "created_by__username", "created_by__full_name", "created_by__first_name", "created_by__last_name",
        )

    def awaiting_verification(self):
        return self.filter(
            status=Record.Status.SUBMITTED, record_type__verification_required=True, verified_at__isnull=True
        )

    def overdue_for_verification(self, now=None):
        now = now or timezone.now()
        return self.awaiting_verification().filter(
            submitted_at__lt=now - timezone.timedelta(days=VERIFICATION_DUE_DAYS)
        )

    def past_retention(self, today=None):
        today = today or timezone.localdate()
        return self.filter(
            status__in=[Record.Status.SUBMITTED, Record.Status.VOID], retain_until__lt=today
        )


class Record(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        VOID = "void", _("Void")
        DISPOSED = "disposed", _("Disposed")

    number = models.CharField(max_length=NUMBER_MAX_LENGTH, unique=True)
    record_type = models.ForeignKey(RecordType, on_delete=models.PROTECT, related_name="records")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="records")
    # The controlled form document's revision in force when the record was made
    # (ISO 9001 4.4.2b, 7.5.2a: traceable to the procedure/form revision used).
    form_revision = models.ForeignKey(
        "documents.Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    values = models.JSONField(default=dict, blank=True)
    # Flattened field values for full-text search (GIN index on PostgreSQL, see 0003).
    search_text = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_records")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="submitted_records"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="verified_records"
    )
    amendment_count = models.PositiveIntegerField(default=0)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.TextField(blank=True)
    retain_until = models.DateField(null=True, blank=True, db_index=True, help_text=_("Empty = kept permanently"))
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.TextField(blank=True)
    # Tombstone: after disposition the row keeps number, type, dates, who and why.
    disposed_at = models.DateTimeField(null=True, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposal_reason = models.TextField(blank=True)
    # Values are kept out of the history table: amendments hold old/new values
    # with who/when/why, and disposition must be able to remove them.
    history = HistoricalRecords(excluded_fields=["values", "search_text"])

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="records_record_created_idx"),
            models.Index(fields=["record_type", "-created_at"], name="records_rec_type_created_idx"),
            # A person's drafts, newest first (dashboard, register "mine"): read in order, not filtered out
            # of the whole table by date.
            models.Index(fields=["created_by", "status", "-created_at"], name="records_record_owner_idx"),
            # The verification backlog (register filter, dashboard, digest) stays small.
            models.Index(
                fields=["-created_at"], name="records_record_unverified_idx",
                condition=Q(status="submitted", verified_at__isnull=True),
            ),
            # The same backlog by submission date: the dashboard's "to verify" and "overdue" split it there.
            models.Index(
                fields=["submitted_at", "id"], name="records_record_backlog_idx",
                condition=Q(status="submitted", verified_at__isnull=True),
            ),
            # Verified per week (the dashboard chart), beside the submitted_at index.
            models.Index(fields=["verified_at"], name="records_record_verified_idx",
                         condition=Q(verified_at__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="void") | ~Q(void_reason=""), name="records_record_void_needs_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="disposed") | Q(disposed_at__isnull=False),
                name="records_record_disposed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | ~Q(verified_by=models.F("submitted_by")),
                name="records_record_verifier_not_submitter",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("records:detail", args=[self.number])

    @property
    def is_locked(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def is_amended(self) -> bool:
        return self.amendment_count > 0

    @property
    def needs_verification(self) -> bool:
        return self.record_type.verification_required and self.status == self.Status.SUBMITTED

    @property
    def verification_label(self) -> str:
        if not self.record_type.verification_required:
            return "not required"
        return "verified" if self.verified_at else "unverified"

    @property
    def is_past_retention(self) -> bool:
        return bool(self.retain_until and self.retain_until < timezone.localdate())

    def signature_content(self) -> dict:
        """What a verification signature covers: a change to these invalidates it."""
        return {
            "number": self.number,
            "record_type": self.record_type.code,
            "form_version": self.form_version.version,
            "values": self.values,
        }

    def content_labels(self) -> dict:
        """Field labels for messages that say what changed in `signature_content`."""
        return {d["key"]: d["label"] for d in self.form_version.fields}


class Amendment(models.Model):
    """A correction of a submitted record: old and new values, who, when, why.
    Append-only (PostgreSQL trigger); only disposition may blank the values."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="amendments")
    seq = models.PositiveIntegerField()
    reason = models.TextField()
    old_values = models.JSONField(default=dict)
    new_values = models.JSONField(default=dict)
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["record", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["record", "seq"], name="records_amendment_unique_seq"),
            models.CheckConstraint(condition=~Q(reason=""), name="records_amendment_reason_required"),
        ]

    def __str__(self):
        return f"{self.record.number} amendment {self.seq}"


class Evidence(models.Model):
    """An evidence file. Never replaced or deleted: only added, or marked
    superseded with a reason; disposition removes the bytes, keeps this row."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="evidence")
    field_key = models.CharField(max_length=60, blank=True, help_text=_("Form field it answers, if any"))
    file = models.CharField(max_length=255, help_text=_("Storage name (random)"))
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_reason = models.TextField(blank=True)
    disposed_at = models.DateTimeField(null=True, blank=True)
    # The text read from the file (qms.textract; records/textindex.py); a generated,
    # GIN-indexed tsvector over it (migration text_extraction) serves the register's search.
    text = models.TextField(blank=True, default="", editable=False)
    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        ordering = ["record", "uploaded_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(superseded_at__isnull=True) | ~Q(superseded_reason=""),
                name="records_evidence_supersede_needs_reason",
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None


class StagedUpload(models.Model):
    """An evidence file chosen on a record form that was sent back with an
    error: checked and stored (qms.uploads) so it need not be chosen again.
    Tied to the user and their session; it becomes the record's Evidence when
    the form is saved, or expires (records/staging.py)."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, blank=True)
    record_type = models.ForeignKey(RecordType, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(
        Record, null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text=_("The draft being edited")
    )
    field_key = models.CharField(max_length=60, blank=True, help_text=_("Form field it answers, if any"))
    file = models.CharField(max_length=255, help_text=_("Storage name (random)"))
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["user", "record_type"], name="records_staged_owner_idx")]

    def __str__(self):
        return self.original_name
