"""Imports of an existing QMS (issue 19): one ImportRun per upload, its dry-run
report, and what each real run created (ImportedItem), which makes a second
run of the same import create nothing new.

The report (`report`) is kept after the run as the record of the migration:
who imported what, from which files (their SHA-256), row by row. Its texts
(errors, notices, each row's action, problems and warnings) are in English,
each with a `<key>_i18n` beside it (qms.stored_text): the same texts as msgid
and parameters, shown in the reader's language. A records report's rows are
compact (100,000 of them, issue 19): a row has a key only for what it has, and
its action ("create", "skip", or "" for a row with problems) no `action_i18n`
(records_import.RecordRow.as_report, report_row); readers use `.get()`.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    class Kind(models.TextChoices):
        DOCUMENTS = "documents", _("Documents")
        RECORDS = "records", _("Records")
        PEOPLE = "people", _("People")

    class Status(models.TextChoices):
        CHECKED = "checked", _("Dry run done")
        BLOCKED = "blocked", _("Dry run found problems")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKED, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Stored inputs (storage names) and their SHA-256; a server folder is a path (command line only).
    register_file = models.CharField(max_length=300, blank=True)
    register_name = models.CharField(max_length=200, blank=True)
    register_sha256 = models.CharField(max_length=64, blank=True)
    files_file = models.CharField(max_length=300, blank=True)
    files_name = models.CharField(max_length=200, blank=True)
    files_sha256 = models.CharField(max_length=64, blank=True)
    folder = models.CharField(max_length=500, blank=True)
    record_type_code = models.CharField(max_length=12, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text=_("Column → form field key (records)"))
    options = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    job = models.ForeignKey("qms.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(blank=True)
    error_i18n = models.JSONField(null=True, blank=True, editable=False)  # the error for the reader (qms.stored_text)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        with translation.override(None):  # the trail stores it (object_repr): untranslated
            return f"Import {self.pk} ({self.get_kind_display()}, {self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("intake:run", args=[self.pk])

    @property
    def can_run(self) -> bool:
        return self.status in (self.Status.CHECKED, self.Status.FAILED) and self.error_count == 0


class ImportedItem(models.Model):
    """One object an import created, under a key that names it in the source
    (document number + revision label, a record row's fingerprint, a username).
    Unique per kind: the same source row is never imported twice."""

    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=12)
    key = models.CharField(max_length=200)
    row = models.PositiveIntegerField(null=True, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(default=dict, blank=True, help_text=_("Imported values kept as they were (names, dates)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "row", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="intake_item_unique_key")]
        indexes = [models.Index(fields=["content_type", "object_id"], name="intake_item_object_idx")]

    def __str__(self):
        return f"{self.kind} {self.key}"
