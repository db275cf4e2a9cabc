"""Quality records (ISO 9001 7.5.3 and the "retain" clauses): record types with
versioned form definitions, and the records staff submit under them.

Records are locked on submit; corrections are amendments with a reason; no
record is ever deleted (void with a reason; disposition leaves a tombstone).
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from qms.models import Clause


class RecordType(models.Model):
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=120)
    numbering_pattern = models.CharField(max_length=60, default="{code}-{year}-{seq:05}")
    clauses = models.ManyToManyField(Clause, blank=True, related_name="record_types")
    retention_years = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty = kept permanently")
    verification_required = models.BooleanField(default=False)
    form_document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="record_types",
        help_text="The controlled form (FRM) this record type implements",
    )
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords(m2m_fields=[clauses])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.code} – {self.name}"


class FormVersion(models.Model):
    """One version of a record type's form; records keep the version they were made under."""

    record_type = models.ForeignKey(RecordType, on_delete=models.PROTECT, related_name="form_versions")
    version = models.PositiveIntegerField()
    fields = models.JSONField(default=list, help_text="List of typed field definitions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["record_type", "version"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "version"], name="records_formversion_unique_version")
        ]

    def __str__(self):
        return f"{self.record_type.code} form v{self.version}"


class Record(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        VOID = "void", "Void"
        DISPOSED = "disposed", "Disposed"

    number = models.CharField(max_length=40, unique=True)
    record_type = models.ForeignKey(RecordType, on_delete=models.PROTECT, related_name="records")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="records")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    values = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_records")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.number
