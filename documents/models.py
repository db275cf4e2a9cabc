"""Controlled documents (ISO 9001 7.5): type, document identity, revisions.

Document ≠ Revision ≠ Rendition: a Document is the identity (number, owner,
clauses), a Revision is one version of its content (frozen once approved).
States and their allowed moves live beside the model; services in
documents/services.py are the only code that changes `status`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from qms.models import Clause, Department, Process


class DocumentType(models.Model):
    class RevisionScheme(models.TextChoices):
        NUMERIC = "numeric", "Numeric 00, 01, 02…"
        LETTERS = "letters", "Letters A, B… (skipping I O Q S X Z)"
        DECIMAL = "decimal", "Drafts 0.1, 0.2… releases 1.0, 2.0…"

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    numbering_pattern = models.CharField(
        max_length=60, default="{type}-{dept}-{seq:03}", help_text="Placeholders: {type}, {dept}, {seq:03}"
    )
    revision_scheme = models.CharField(max_length=10, choices=RevisionScheme.choices, default=RevisionScheme.NUMERIC)
    review_interval_months = models.PositiveSmallIntegerField(default=24)
    change_reason_required = models.BooleanField(default=True)
    manual_order = models.PositiveSmallIntegerField(default=100, help_text="Order in the quality manual")
    history = HistoricalRecords()

    class Meta:
        ordering = ["manual_order", "code"]

    def __str__(self):
        return f"{self.code} – {self.name}"


class Document(models.Model):
    number = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="documents")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_documents")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="documents")
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    clauses = models.ManyToManyField(Clause, blank=True, related_name="documents")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[clauses])

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.title}"


class Revision(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        EFFECTIVE = "effective", "Effective"
        SUPERSEDED = "superseded", "Superseded"
        OBSOLETE = "obsolete", "Obsolete"

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="revisions")
    seq = models.PositiveIntegerField(help_text="1, 2, 3… in order of creation; the label comes from the type's scheme")
    label = models.CharField(max_length=12, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    content = models.TextField(blank=True, help_text="Markdown")
    change_summary = models.TextField(blank=True)
    change_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    effective_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["document", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["document", "seq"], name="documents_revision_unique_seq"),
            # Exactly one effective revision per document (ISO 9001 7.5.3.2: current version identifiable).
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="effective"), name="documents_revision_one_effective"
            ),
        ]

    def __str__(self):
        return f"{self.document.number} rev {self.label or self.seq}"

    # Added by the PDF work (issue 4) so tests can sign revisions with
    # qms.signatures.sign; the documents app's own definition wins at merge.
    def signature_content(self) -> dict:
        return {
            "document": self.document.number,
            "seq": self.seq,
            "label": self.label,
            "content": self.content,
            "change_summary": self.change_summary,
            "change_reason": self.change_reason,
        }


# =============================================================================
# Controlled PDFs and the quality manual (issue 4). Owned by the PDF work;
# kept at the end of the file so it merges cleanly with the documents app.
# =============================================================================
def _new_verification_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class RevisionVerification(models.Model):
    """The unguessable token printed as a QR code on every page of a revision's
    PDF; /verify/<token>/ tells anyone holding a printout whether it is current."""

    revision = models.OneToOneField(Revision, on_delete=models.PROTECT, related_name="verification")
    token = models.CharField(max_length=64, unique=True, default=_new_verification_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"verification of {self.revision}"


class Rendition(models.Model):
    """The controlled base PDF of a revision in one state, stored once through
    the storage API and reused by every print and every manual build.

    `fingerprint` is a SHA-256 of everything printed (content, metadata,
    signatures, watermark): a revision gets a second rendition only when
    something visible changed (e.g. it became SUPERSEDED). The per-print line
    (who printed, when) is stamped over a copy at download, never stored here.
    """

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="renditions")
    fingerprint = models.CharField(max_length=64)
    watermark = models.CharField(max_length=20, blank=True)
    file = models.FileField(upload_to="renditions/%Y/%m/", max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField()
    render_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "fingerprint"], name="documents_rendition_unique_fingerprint")
        ]

    def __str__(self):
        return f"PDF of {self.revision}{' (' + self.watermark + ')' if self.watermark else ''}"


class ManualBuild(models.Model):
    """One compiled quality manual: kept for good, with the revisions it holds
    (and where each starts) and the SHA-256 of its PDF."""

    manual_revision = models.PositiveIntegerField(unique=True)
    built_at = models.DateTimeField(auto_now_add=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revisions = models.ManyToManyField(Revision, related_name="manual_builds")
    contents = models.JSONField(default=list, help_text="Each entry: revision id, number, title, label, type, first page, pages")
    file = models.FileField(upload_to="manual/", max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField()
    renders = models.PositiveIntegerField(default=0, help_text="Revision PDFs rendered for this build (the rest reused)")

    class Meta:
        ordering = ["-manual_revision"]

    def __str__(self):
        return f"Quality manual revision {self.manual_revision}"
