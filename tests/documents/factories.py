"""Factories and helpers for controlled-document tests. Helpers go through the
services, so every document in a test got where it is the way users get there."""

from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from documents.models import DocumentType, Revision, RouteStep
from documents.services import StepSpec
from tests.factories import PASSWORD, DepartmentFactory

TYPES = {
    "QM": ("Quality manual", "QM-{seq:02}", "letters", 12, True, False),
    "POL": ("Policy", "POL-{seq:03}", "numeric", 24, True, False),
    "SOP": ("Standard operating procedure", "SOP-{dept}-{seq:03}", "numeric", 24, True, False),
    "WI": ("Work instruction", "WI-{dept}-{seq:03}", "decimal", 24, False, False),
    "FRM": ("Form", "FRM-{dept}-{seq:03}", "letters", 36, False, False),
    "EXT": ("External document", "EXT-{seq:03}", "numeric", 12, False, True),
}


def doc_type(code="SOP") -> DocumentType:
    """The seeded type (re-created when a transactional test flushed the seed data)."""
    name, pattern, scheme, months, reason, external = TYPES[code]
    obj, _ = DocumentType.objects.get_or_create(
        code=code,
        defaults={"name": name, "numbering_pattern": pattern, "revision_scheme": scheme,
                  "review_interval_months": months, "change_reason_required": reason, "external_origin": external},
    )
    return obj


def pdf_upload(name="procedure.pdf", body=None):
    from tests.pdf_helpers import blank_pdf

    return SimpleUploadedFile(name, body if body is not None else blank_pdf(), content_type="application/pdf")


def make_draft(author, *, code="SOP", title="Calibration of gauges", content="# Purpose\nCalibrate every gauge.",
               department=None, **kwargs):
    department = department or DepartmentFactory(code="QA", name="Quality Assurance")
    return services.document_create(actor=author, doc_type=doc_type(code), department=department, title=title,
                                    content=content, **kwargs)


def submit(author, revision, approvers, *, reviewers=(), mode=RouteStep.Mode.ALL, effective_date=None):
    steps = []
    if reviewers:
        steps.append(StepSpec(kind=RouteStep.Kind.REVIEW, users=list(reviewers)))
    steps.append(StepSpec(kind=RouteStep.Kind.APPROVE, mode=mode, users=list(approvers)))
    return services.revision_submit(actor=author, revision=revision, steps=steps, effective_date=effective_date)


def approve(user, revision, *, significance=Revision.Significance.SIGNIFICANT, comment=""):
    return services.revision_decide(actor=user, revision=revision, password=PASSWORD, outcome="approved",
                                    comment=comment, significance=significance)


def make_effective(author, approver, **kwargs):
    """A document whose first revision is effective (author drafts, approver signs)."""
    document = make_draft(author, **kwargs)
    revision = document.latest_revision
    submit(author, revision, [approver])
    approve(approver, revision)
    document.refresh_from_db()
    return document


def new_revision(author, approver, document, *, content="# Purpose\nCalibrate every gauge yearly.",
                 significance=Revision.Significance.SIGNIFICANT, effective_date=None):
    rev = services.revision_create_new(actor=author, document=document, change_summary="Yearly interval",
                                       change_reason="Audit finding 12")
    services.revision_update_draft(actor=author, revision=rev, content=content)
    submit(author, rev, [approver], effective_date=effective_date)
    approve(approver, rev, significance=significance)
    rev.refresh_from_db()
    document.refresh_from_db()
    return rev
