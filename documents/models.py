"""Controlled documents (ISO 9001 7.5): type, document identity, revisions.

Document ≠ Revision ≠ Rendition: a Document is the identity (number, owner,
clauses), a Revision is one version of its content (frozen once approved).
States and their allowed moves live beside the model; services in
documents/services.py are the only code that changes `status`.
"""

import re
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from qms.history import HistoricalRecords
from qms.models import Clause, Department, Process, Signature

# Letters that are easily misread (I/1, O/0, Q/O, S/5, X, Z/2) are never used as revision letters.
REVISION_LETTERS = "ABCDEFGHJKLMNPRTUVWY"


def revision_label(scheme: str, seq: int, *, released: bool = True, releases_before: int = 0, draft_round: int = 1) -> str:
    """The label of a revision under a type's scheme; a pure function.

    numeric: seq 1, 2, 3 → "00", "01", "02".
    letters: seq 1, 2 … 20, 21 → "A", "B" … "Y", "AA" (skipping I O Q S X Z).
    decimal: a draft is "<releases so far>.<submission round>" (0.1, 0.2 …); on
    release it becomes the next whole number (1.0, then 2.0 …).
    """
    if seq < 1:
        raise ValueError("seq starts at 1")
    if scheme == "numeric":
        return f"{seq - 1:02d}"
    if scheme == "letters":
        base = len(REVISION_LETTERS)
        n, out = seq, ""
        while n > 0:  # bijective base-20: A…Y, AA, AB…
            n, rem = divmod(n - 1, base)
            out = REVISION_LETTERS[rem] + out
        return out
    if scheme == "decimal":
        return f"{releases_before + 1}.0" if released else f"{releases_before}.{max(draft_round, 1)}"
    raise ValueError(f"unknown revision scheme {scheme!r}")


class DocumentType(models.Model):
    class RevisionScheme(models.TextChoices):
        NUMERIC = "numeric", _("Numeric 00, 01, 02…")
        LETTERS = "letters", _("Letters A, B… (skipping I O Q S X Z)")
        DECIMAL = "decimal", _("Drafts 0.1, 0.2… releases 1.0, 2.0…")

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    numbering_pattern = models.CharField(
        max_length=60, default="{type}-{dept}-{seq:03}", help_text=_("Placeholders: {type}, {dept}, {seq:03}")
    )
    revision_scheme = models.CharField(max_length=10, choices=RevisionScheme.choices, default=RevisionScheme.NUMERIC)
    review_interval_months = models.PositiveSmallIntegerField(default=24)
    change_reason_required = models.BooleanField(default=True)
    manual_order = models.PositiveSmallIntegerField(default=100, help_text=_("Order in the quality manual"))
    external_origin = models.BooleanField(
        default=False, help_text=_("Documents of external origin (ISO 9001 7.5.3.2): issuer and edition are required")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["manual_order", "code"]

    def __str__(self):
        return f"{self.code} – {self.name}"


class DocumentQuerySet(models.QuerySet):
    def with_effective(self):
        return self.filter(effective_revision__isnull=False)

    def review_overdue(self, today: date):
        return self.with_effective().filter(next_review_date__lt=today)


# A number appears in links (/documents/<number>/): only characters a URL path
# segment holds as they are.
NUMBER_CHARS = re.compile(r"^[A-Za-z0-9._-]+$")
NUMBER_CHARS_TEXT = "letters, digits, hyphens, dots and underscores"


class Document(models.Model):
    number = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="documents")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_documents")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="documents")
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    clauses = models.ManyToManyField(Clause, blank=True, related_name="documents")
    created_at = models.DateTimeField(auto_now_add=True)
    review_interval_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Empty: the document type's default interval")
    )
    next_review_date = models.DateField(null=True, blank=True, db_index=True)
    # Distribution (ISO 9001 7.5.3.2a): who must read and acknowledge each significant revision.
    distribution_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="distributed_documents"
    )
    distribution_groups = models.ManyToManyField(Group, blank=True, related_name="distributed_documents")
    # External origin (DOC-13): who issued it and which edition we hold.
    issuer = models.CharField(max_length=120, blank=True)
    external_reference = models.CharField(_("external reference / edition"), max_length=120, blank=True)
    external_date = models.DateField(_("edition date"), null=True, blank=True)
    # The language it is written in: its controlled PDF prints header, footer, watermark
    # and signature page in it (documents.renditions), whoever prints it.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    # Denormalised pointers kept by the services (documents/services.py), so the
    # register is one query: the revision in force, and the newest revision.
    effective_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    latest_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    obsolete_reason = models.TextField(blank=True)
    # Filled by a PostgreSQL trigger from number and title (migration 0006); GIN-indexed.
    search_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(
        m2m_fields=[clauses, distribution_users, distribution_groups], excluded_fields=["search_vector"]
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        indexes = [models.Index(fields=["title"], name="documents_document_title_idx")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("documents:document-detail", args=[self.number])

    @property
    def interval_months(self) -> int:
        return self.review_interval_months or self.doc_type.review_interval_months

    @property
    def is_review_overdue(self) -> bool:
        return bool(self.next_review_date and self.effective_revision_id and self.next_review_date < date.today())


def plain_text_of(content: str) -> str:
    """A revision's Markdown as the words a reader sees (Revision.plain_text)."""
    from documents.selectors import render_markdown
    from qms.search import plain_text

    return plain_text(render_markdown(content)) if content else ""


class Revision(models.Model):
    class Significance(models.TextChoices):
        SIGNIFICANT = "significant", _("Significant: everyone on the distribution must read it")
        EDITORIAL = "editorial", _("Editorial: no re-read needed")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        EFFECTIVE = "effective", _("Effective")
        SUPERSEDED = "superseded", _("Superseded")
        OBSOLETE = "obsolete", _("Obsolete")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="revisions")
    seq = models.PositiveIntegerField(help_text=_("1, 2, 3… in order of creation; the label comes from the type's scheme"))
    label = models.CharField(max_length=12, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    content = models.TextField(blank=True, help_text=_("Markdown"))
    change_summary = models.TextField(blank=True)
    change_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    effective_date = models.DateField(null=True, blank=True)
    # Uploaded PDF (instead of, or besides, Markdown) and an optional editable source (DOCX…).
    pdf_file = models.CharField(max_length=300, blank=True)
    pdf_original_name = models.CharField(max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_size = models.PositiveBigIntegerField(null=True, blank=True)
    source_file = models.CharField(max_length=300, blank=True)
    source_original_name = models.CharField(max_length=200, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    source_size = models.PositiveBigIntegerField(null=True, blank=True)
    source_content_type = models.CharField(max_length=120, blank=True)
    significance = models.CharField(max_length=12, choices=Significance.choices, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    effective_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True, help_text=_("Superseded or made obsolete"))
    retire_reason = models.TextField(blank=True)
    # The text read from its uploaded PDF and source file (qms.textract; documents/textindex.py).
    extracted_text = models.TextField(blank=True, default="", editable=False)
    # The content as a reader sees it (Markdown rendered, tags stripped), kept by save():
    # the text search snippets are cut from, never the Markdown source.
    plain_text = models.TextField(blank=True, default="", editable=False)
    # Filled by a PostgreSQL trigger from content and extracted_text (migrations 0006, text_extraction);
    # GIN-indexed for full-text search.
    search_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["search_vector", "extracted_text", "plain_text"])

    class Meta:
        ordering = ["document", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["document", "seq"], name="documents_revision_unique_seq"),
            # Exactly one effective revision per document (ISO 9001 7.5.3.2: current version identifiable).
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="effective"), name="documents_revision_one_effective"
            ),
        ]
        indexes = [
            # The dashboard's "documents by status of their newest revision" joins every document to
            # one revision's status: an index-only scan of (id, status), not a read of the wide rows.
            models.Index(fields=["id", "status"], name="documents_revision_id_status"),
        ]

    def __str__(self):
        return f"{self.document.number} rev {self.label or self.seq}"

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if fields is None or "content" in fields:
            self.plain_text = plain_text_of(self.content)
            if fields is not None:
                kwargs["update_fields"] = {*fields, "plain_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("documents:revision-detail", args=[self.document.number, self.seq])

    @property
    def is_frozen(self) -> bool:
        """Approved content is frozen (ISO 9001 7.5.3.2c): only drafts change."""
        return self.status != self.Status.DRAFT

    @property
    def has_pdf(self) -> bool:
        return bool(self.pdf_file)

    def signature_content(self) -> dict:
        """What a reviewer or approver signs: a change to any of these invalidates the signature."""
        return {
            "document": self.document.number,
            "seq": self.seq,
            "content": self.content,
            "pdf_sha256": self.pdf_sha256,
            "source_sha256": self.source_sha256,
            "change_summary": self.change_summary,
            "change_reason": self.change_reason,
        }


class NumberCounter(models.Model):
    """Last sequence number used per (type, department). Locked with SELECT … FOR
    UPDATE while a number is assigned, so two authors creating at once get
    different numbers, and a number is never handed out twice."""

    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+")
    # The department code when the type's pattern contains {dept}, else "" (one counter per type).
    scope = models.CharField(max_length=20, blank=True)
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "scope"], name="documents_numbercounter_unique_scope")
        ]

    def __str__(self):
        return f"{self.doc_type_id}/{self.scope}: {self.last_seq}"


class RouteStep(models.Model):
    """One step of a revision's review/approval route. Steps run in `order`."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Review")
        APPROVE = "approve", _("Approval")

    class Mode(models.TextChoices):
        ALL = "all", _("All of the signers")
        ANY = "any", _("Any one signer")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ACTIVE = "active", _("Active")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="route_steps")
    round = models.PositiveSmallIntegerField(default=1, help_text=_("1 for the first submission, 2 after a rejection…"))
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    mode = models.CharField(max_length=5, choices=Mode.choices, default=Mode.ALL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["revision", "round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "round", "order"], name="documents_routestep_unique_order")
        ]

    def __str__(self):
        with override(None):  # stored as the trail's object name: the same in every language
            return f"{self.revision} step {self.order} ({self.get_kind_display()})"

    @property
    def meaning(self) -> str:
        return Signature.Meaning.APPROVED if self.kind == self.Kind.APPROVE else Signature.Meaning.REVIEWED


class RouteTemplate(models.Model):
    """The default review/approval route of a document type (optionally per
    department): applied to the submission form of every revision of such a
    document; fixed when the author may not edit it (issue 18.5)."""

    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="route_templates")
    department = models.ForeignKey(
        "qms.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Empty: every department without a template of its own"),
    )
    name = models.CharField(max_length=120)
    author_may_edit = models.BooleanField(
        default=True, help_text=_("Off: authors submit on exactly this route (signers and steps are fixed)")
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["doc_type", "department", "name"]
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "department"], condition=Q(active=True) & Q(department__isnull=False),
                                    name="documents_routetemplate_one_per_dept"),
            models.UniqueConstraint(fields=["doc_type"], condition=Q(active=True) & Q(department__isnull=True),
                                    name="documents_routetemplate_one_per_type"),
        ]

    def __str__(self):
        return self.name


class RouteTemplateStep(models.Model):
    template = models.ForeignKey(RouteTemplate, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=RouteStep.Kind.choices)
    mode = models.CharField(max_length=5, choices=RouteStep.Mode.choices, default=RouteStep.Mode.ALL)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    groups = models.ManyToManyField(Group, blank=True, related_name="+")
    history = HistoricalRecords(m2m_fields=[users, groups])

    class Meta:
        ordering = ["template", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "order"], name="documents_routetemplatestep_order")]

    def __str__(self):
        with override(None):  # stored as the trail's object name: the same in every language
            return f"{self.template}: step {self.order} ({self.get_kind_display()})"


class StepSigner(models.Model):
    """A user, or a group of which any one member may sign for it."""

    step = models.ForeignKey(RouteStep, on_delete=models.PROTECT, related_name="signers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(group__isnull=True)) | (Q(user__isnull=True) & Q(group__isnull=False)),
                name="documents_stepsigner_user_xor_group",
            ),
            models.UniqueConstraint(fields=["step", "user"], name="documents_stepsigner_unique_user"),
            models.UniqueConstraint(fields=["step", "group"], name="documents_stepsigner_unique_group"),
        ]

    def __str__(self):
        return str(self.user or f"any member of {self.group}")


class Decision(models.Model):
    """A signer's decision on a route step, backed by an electronic signature."""

    class Outcome(models.TextChoices):
        REVIEWED = "reviewed", _("Reviewed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    step = models.ForeignKey(RouteStep, on_delete=models.PROTECT, related_name="decisions")
    signer = models.ForeignKey(StepSigner, on_delete=models.PROTECT, related_name="decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    comment = models.TextField(blank=True)
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [models.UniqueConstraint(fields=["step", "user"], name="documents_decision_one_per_user")]

    def __str__(self):
        with override(None):  # stored as the trail's object name: the same in every language
            return f"{self.get_outcome_display()} by {self.user}"


class Acknowledgement(models.Model):
    """Read-and-understood task for one person and one effective revision."""

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acknowledgements")
    assigned_at = models.DateTimeField()
    due_date = models.DateField(db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    signature = models.OneToOneField(Signature, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True, help_text=_("Replaced by a newer revision before it was read"))

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["revision", "user"], name="documents_acknowledgement_unique")]
        indexes = [models.Index(fields=["user", "acknowledged_at"], name="documents_ack_user_open_idx")]

    def __str__(self):
        return f"{self.user} – {self.revision}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None and self.cancelled_at is None

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_date < today


class PeriodicReview(models.Model):
    """A signed periodic review outcome (DOC-14)."""

    class Outcome(models.TextChoices):
        NO_CHANGE = "no_change", _("No change needed")
        REVISE = "revise", _("Revise: open a new draft")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="periodic_reviews")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="periodic_reviews")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()
    comment = models.TextField(blank=True)
    signature = models.OneToOneField(Signature, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    next_review_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self):
        with override(None):  # stored as the trail's object name: the same in every language
            return f"{self.document} reviewed {self.reviewed_at:%Y-%m-%d}: {self.get_outcome_display()}"


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
    contents = models.JSONField(default=list, help_text=_("Each entry: revision id, number, title, label, type, first page, pages"))
    file = models.FileField(upload_to="manual/", max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField()
    renders = models.PositiveIntegerField(default=0, help_text=_("Revision PDFs rendered for this build (the rest reused)"))

    class Meta:
        ordering = ["-manual_revision"]

    def __str__(self):
        return f"Quality manual revision {self.manual_revision}"
