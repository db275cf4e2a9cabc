"""Controlled PDFs of revisions (ISO 9001 7.5.3.2: identification, protection
from unintended use of obsolete information; 21 CFR 11.50(b): signatures in
every printed form).

Two layers, so that "stored once and reused" stays true although every print
is different:

* the **controlled base PDF** (header with company, number, title, revision,
  effective date and page X of Y; footer "Uncontrolled when printed"; the QR
  code to /verify/<token>/ on every page; watermark; signature page) is
  rendered once per revision and state, stored through the storage API with
  its SHA-256 (`Rendition`), and reused by every print and by the manual;
* the **per-print line** ("Printed <UTC time> by <name>") is a one-page
  WeasyPrint overlay stamped over a copy of the base at download with pypdf:
  no re-layout, so a print costs a fraction of a render.

Drafts and revisions in review are rendered on demand with a DRAFT watermark
and never stored. Uploaded-PDF revisions get the same header, footer,
watermark and QR stamped over their own pages, plus the signature page.

Entry points for other code: `request_revision_pdf(revision=, actor=) -> Job`
(a user asks for a print), `on_revision_approved(revision=, actor=)` (the
approve service calls it via transaction.on_commit so the PDF is ready before
anyone asks), `ensure_rendition(revision)` (the manual builder).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, override

from documents.models import Rendition, Revision, RevisionVerification
from documents.selectors import render_markdown
from qms import pdf, stored_text
from qms.jobs import JobOutput, TransientJobError, job_handler, request_job
from qms.models import Job, Signature
from qms.rules import require
from qms.signatures import canonical_json, signatures_for
from qms.uploads import safe_filename

log = logging.getLogger(__name__)

# Bump when the print layout changes: every base PDF is then rendered afresh.
LAYOUT_VERSION = "2"  # 2: the shipped CJK font (templates/pdf/_fonts.html)

S = Revision.Status
WATERMARKS = {  # English in the fingerprint; printed in the document's language
    S.DRAFT: gettext_noop("DRAFT"),
    S.IN_REVIEW: gettext_noop("DRAFT"),
    S.APPROVED: "",
    S.EFFECTIVE: "",
    S.SUPERSEDED: gettext_noop("SUPERSEDED"),
    S.OBSOLETE: gettext_noop("OBSOLETE"),
}
# Approved content is frozen, so its PDF can be kept; drafts change and are not.
STORED_STATES = {S.APPROVED, S.EFFECTIVE, S.SUPERSEDED, S.OBSOLETE}
# Acknowledgements ("read and understood") are signatures too, but there can be
# hundreds and they are not approvals: the signature page lists the others.
PRINTED_MEANINGS = [m for m in Signature.Meaning.values if m != Signature.Meaning.READ]

# Revision fields that may hold an uploaded PDF (the documents app's model
# decides the name; the first one present and set is used).
UPLOADED_PDF_FIELDS = ("pdf_file",)

# Renders done by this process (the manual test and the benchmark count them).
RENDERS = {"count": 0}


# ------------------------------------------------------------------ verification
def verification_for(revision: Revision) -> RevisionVerification:
    """The revision's verification token, created on first use (race-safe)."""
    try:
        return RevisionVerification.objects.get(revision=revision)
    except RevisionVerification.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return RevisionVerification.objects.create(revision=revision)
    except IntegrityError:  # another worker created it first
        return RevisionVerification.objects.get(revision=revision)


def verify_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("verify", args=[token])


@dataclass
class Currency:
    """What the verification page says about a revision."""

    current: bool
    text: str


def currency_of(revision: Revision) -> Currency:
    """"current" / "superseded on … by revision …" / not released / obsolete."""
    if revision.status == S.EFFECTIVE:
        return Currency(True, "Current: this is the revision in force.")
    if revision.status == S.SUPERSEDED:
        newer = (
            Revision.objects.filter(document_id=revision.document_id, seq__gt=revision.seq)
            .filter(status__in=[S.EFFECTIVE, S.SUPERSEDED, S.OBSOLETE])
            .order_by("seq")
            .only("seq", "label", "effective_date")
            .first()
        )
        if newer is not None:
            when = f"{newer.effective_date:%Y-%m-%d}" if newer.effective_date else "an unrecorded date"
            return Currency(False, f"Superseded on {when} by revision {newer.label or newer.seq}.")
        return Currency(False, "Superseded.")
    if revision.status == S.OBSOLETE:
        return Currency(False, "Obsolete: withdrawn, no longer to be used.")
    if revision.status == S.APPROVED:
        start = f" from {revision.effective_date:%Y-%m-%d}" if revision.effective_date else ""
        return Currency(False, f"Approved, not yet in force{start}.")
    return Currency(False, "Draft: not approved for use.")


# ------------------------------------------------------------------ rendering
def uploaded_pdf_name(revision: Revision) -> str:
    for field in UPLOADED_PDF_FIELDS:
        value = getattr(revision, field, None)
        name = value if isinstance(value, str) else getattr(value, "name", None)  # storage name or FieldFile
        if name and str(name).lower().endswith(".pdf"):
            return name
    return ""


def _label(revision: Revision) -> str:
    return revision.label or str(revision.seq)


def _printed_signatures(revision: Revision) -> list[Signature]:
    return list(signatures_for(revision).filter(meaning__in=PRINTED_MEANINGS).order_by("signed_at", "id"))


def _facts(revision: Revision, signatures: list[Signature], token: str, upload_sha: str) -> dict:
    """Everything printed on the base PDF; its hash is the rendition's fingerprint."""
    doc = revision.document
    return {
        "layout": LAYOUT_VERSION,
        "company": settings.COMPANY_NAME,
        "site": settings.SITE_URL,
        "number": doc.number,
        "title": doc.title,
        "type": doc.doc_type.name,
        "owner": doc.owner.display_name,
        "department": doc.department.name,
        "label": _label(revision),
        "effective_date": revision.effective_date,
        "watermark": WATERMARKS.get(revision.status, ""),
        "content": hashlib.sha256((revision.content or "").encode()).hexdigest(),
        "upload": upload_sha,
        "summary": revision.change_summary,
        "reason": revision.change_reason,
        "signatures": [[s.pk, s.content_hash, s.comment] for s in signatures],
        "token": token,
        # Printed in it; the documents written in the site's language before there was a
        # choice keep their fingerprint (and their controlled PDF) by leaving it out.
        **({"language": doc.language} if doc.language != settings.LANGUAGE_CODE else {}),
    }


def _upload_bytes(name: str) -> bytes:
    try:
        with default_storage.open(name, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise TransientJobError(gettext_noop("Could not read the uploaded PDF: %(error)s") % {"error": exc}) from exc


@dataclass
class Prepared:
    revision: Revision
    signatures: list[Signature]
    token: str
    upload_name: str
    upload: bytes | None
    fingerprint: str
    watermark: str


def prepare(revision: Revision) -> Prepared:
    return _prepare(revision, _printed_signatures(revision), verification_for(revision).token)


def prepare_many(revisions: list[Revision]) -> dict[int, Prepared]:
    """`prepare` for many revisions in a fixed number of queries (the manual)."""
    ids = [r.pk for r in revisions]
    tokens = dict(RevisionVerification.objects.filter(revision_id__in=ids).values_list("revision_id", "token"))
    for rev in revisions:
        if rev.pk not in tokens:
            tokens[rev.pk] = verification_for(rev).token
    ct = ContentType.objects.get_for_model(Revision, for_concrete_model=False)
    signatures: dict[int, list[Signature]] = defaultdict(list)
    for sig in Signature.objects.filter(content_type=ct, object_id__in=ids, meaning__in=PRINTED_MEANINGS).order_by(
        "signed_at", "id"
    ):
        signatures[sig.object_id].append(sig)
    return {r.pk: _prepare(r, signatures[r.pk], tokens[r.pk]) for r in revisions}


def _prepare(revision: Revision, signatures: list[Signature], token: str) -> Prepared:
    upload_name = uploaded_pdf_name(revision)
    upload = _upload_bytes(upload_name) if upload_name else None
    upload_sha = hashlib.sha256(upload).hexdigest() if upload is not None else ""
    facts = _facts(revision, signatures, token, upload_sha)
    fingerprint = hashlib.sha256(canonical_json(facts).encode()).hexdigest()
    return Prepared(revision, signatures, token, upload_name, upload, fingerprint, facts["watermark"])


def _context(p: Prepared, *, page_size: str = "A4", overlay_pages: int = 0) -> dict:
    rev, doc = p.revision, p.revision.document
    label = _label(rev)
    # The PDF is stored and fingerprinted: its words are the document's language, never the asker's.
    with override(doc.language):
        effective = (gettext("Effective %(date)s") % {"date": f"{rev.effective_date:%Y-%m-%d}"}
                     if rev.effective_date else gettext("Not yet effective"))
        status_label = rev.get_status_display() if p.watermark else ""
        watermark = gettext(p.watermark) if p.watermark else ""
        top_right = gettext("Revision %(label)s · %(effective)s") % {"label": label, "effective": effective}
        bottom_left = gettext("%(number)s rev %(label)s") % {"number": doc.number, "label": label}
    return {
        "COMPANY_NAME": settings.COMPANY_NAME,
        "revision": rev,
        "document": doc,
        "rev_label": label,
        # Only what the fingerprint covers is printed: the state shows through
        # the watermark (an approved revision's PDF is reused once effective).
        "status_label": status_label,
        "watermark": watermark,
        "signatures": p.signatures,
        "content_html": "" if overlay_pages else render_markdown(rev.content),  # same sanitiser as the page
        "overlay_pages": range(overlay_pages),
        "page_size": page_size,
        # A language chosen for the document is its `lang`; the site's (the default) lets the text tell.
        "pdf_language": pdf.chosen_language(doc.language),
        "verify_url": verify_url(p.token),
        "qr": pdf.qr_data_uri(verify_url(p.token)),
        "css": {
            "top_left": pdf.css_string(f"{settings.COMPANY_NAME}\n{doc.number} {doc.title}"),
            "top_right": pdf.css_string(top_right),
            "bottom_left": pdf.css_string(bottom_left),
        },
    }


def render_revision(p: Prepared) -> tuple[bytes, int]:
    """Lay out the controlled base PDF of a prepared revision: (bytes, pages),
    in the document's language, whoever asked for it (a job has none of its own)."""
    RENDERS["count"] += 1
    with override(p.revision.document.language):
        return _render_revision(p)


def _render_revision(p: Prepared) -> tuple[bytes, int]:
    if p.upload is None:
        document = pdf.html_to_document(render_to_string("pdf/revision.html", _context(p)))
        return document.write_pdf(), len(document.pages)
    # Uploaded PDF: an overlay with as many pages (header, footer, QR,
    # watermark) plus the signature page, stamped over the upload's pages.
    sizes = pdf.page_sizes(p.upload)
    width, height = sizes[0]
    html = render_to_string("pdf/revision.html", _context(p, page_size=f"{width}pt {height}pt", overlay_pages=len(sizes)))
    stamp = pdf.html_to_pdf(html)
    out = pdf.overlay(p.upload, stamp, append_rest=True)
    return out, pdf.page_count(out)


def render_problem(revision: Revision) -> str:
    """Why this revision's controlled PDF cannot be made ('' if it can): an
    uploaded PDF is parsed page by page, as at upload. Approval waits for it."""
    name = uploaded_pdf_name(revision)
    if not name:
        return ""
    try:
        reason = pdf.check_uploaded_pdf(_upload_bytes(name))
    except TransientJobError as exc:
        reason = str(exc)
    if not reason:
        return ""
    return gettext("The uploaded PDF cannot be rendered as a controlled copy: %(reason)s. Upload a fixed PDF first.") % {
        "reason": reason}


def current_rendition(revision: Revision) -> Rendition | None:
    """The stored base PDF matching what the revision would print now, if any."""
    if revision.status not in STORED_STATES:
        return None
    return Rendition.objects.filter(revision=revision, fingerprint=prepare(revision).fingerprint).first()


def ensure_rendition(revision: Revision) -> tuple[Rendition, bool]:
    """The revision's stored base PDF, rendering and storing it only if missing.

    Two workers asking at once: the row lock on the revision's verification
    token serialises them, so the second finds the first's rendition and
    reuses it (one render, one file). Returns (rendition, rendered_now)."""
    if revision.status not in STORED_STATES:
        raise ValueError(f"{revision} is {revision.get_status_display()}: drafts are rendered on demand, not stored.")
    verification = verification_for(revision)
    with transaction.atomic():
        RevisionVerification.objects.select_for_update().get(pk=verification.pk)
        p = prepare(revision)
        existing = Rendition.objects.filter(revision=revision, fingerprint=p.fingerprint).first()
        if existing is not None:
            return existing, False
        started = time.perf_counter()
        content, pages = render_revision(p)
        rendition = Rendition(
            revision=revision,
            fingerprint=p.fingerprint,
            watermark=p.watermark,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            page_count=pages,
            render_ms=int((time.perf_counter() - started) * 1000),
        )
        try:
            rendition.file.save(f"{safe_filename(revision.document.number)}-rev-{_label(revision)}.pdf", ContentFile(content), save=False)
        except OSError as exc:
            raise TransientJobError(gettext_noop("Could not store the PDF: %(error)s") % {"error": exc}) from exc
        rendition.save()
        return rendition, True


def read_rendition(rendition: Rendition) -> bytes:
    """The stored base PDF, checked against its SHA-256 on every read. A
    changed or missing file is never served: it is quarantined and rendered
    again from the approved content (see `repair_rendition`)."""
    try:
        with default_storage.open(rendition.file.name, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return repair_rendition(rendition, kind="missing")
    except OSError as exc:
        raise TransientJobError(gettext_noop("Could not read the stored PDF: %(error)s") % {"error": exc}) from exc
    if hashlib.sha256(data).hexdigest() != rendition.sha256:
        return repair_rendition(rendition, kind="changed", found=data)
    return data


def repair_rendition(rendition: Rendition, *, kind: str, found: bytes | None = None) -> bytes:
    """Quarantine a stored base PDF whose bytes are not what was stored (kept
    aside under quarantine/ for investigation), render it again from the
    approved content (the fingerprint makes the render deterministic in what
    it shows), store the fresh file on the same rendition, record an integrity
    event on the revision and tell the quality managers. Returns the fresh PDF."""
    from qms.audit import record_event
    from qms.notifications import notify_role
    from qms.permissions import Role

    with transaction.atomic():
        rendition = Rendition.objects.select_for_update().select_related(
            "revision__document__doc_type", "revision__document__owner", "revision__document__department"
        ).get(pk=rendition.pk)
        revision = rendition.revision
        bad_name, expected = rendition.file.name, rendition.sha256
        quarantined = ""
        if found is not None:
            try:
                quarantined = default_storage.save(f"quarantine/{bad_name}", ContentFile(found))
            except OSError:
                quarantined = ""
        p = prepare(revision)
        content, pages = render_revision(p)
        try:
            rendition.file.save(f"{safe_filename(revision.document.number)}-rev-{_label(revision)}.pdf",
                                ContentFile(content), save=False)
        except OSError as exc:
            raise TransientJobError(gettext_noop("Could not store the PDF: %(error)s") % {"error": exc}) from exc
        rendition.sha256 = hashlib.sha256(content).hexdigest()
        rendition.size, rendition.page_count = len(content), pages
        rendition.save(update_fields=["file", "sha256", "size", "page_count"])
        if found is not None and bad_name != rendition.file.name:
            try:
                default_storage.delete(bad_name)
            except OSError:
                pass
        record_event(
            actor=None, verb=f"integrity.{kind}", obj=revision,
            comment=f"The stored controlled PDF was {kind}; it was quarantined and rendered again from the approved content",
            data={"rendition": rendition.pk, "file": bad_name, "expected_sha256": expected,
                  "found_sha256": hashlib.sha256(found).hexdigest() if found is not None else "",
                  "quarantined_as": quarantined, "new_sha256": rendition.sha256},
        )
        names = {"number": revision.document.number, "label": _label(revision)}
        notify_role(
            Role.QUALITY_MANAGER,
            title=(stored_text.text(gettext_noop("Controlled PDF of %(number)s rev %(label)s was changed"), **names)
                   if kind == "changed" else
                   stored_text.text(gettext_noop("Controlled PDF of %(number)s rev %(label)s was missing"), **names)),
            body=(stored_text.text(gettext_noop("The stored file %(name)s did not match its SHA-256. It was quarantined "
                                                "as %(quarantined)s and a fresh copy was rendered from the approved "
                                                "content."), name=bad_name, quarantined=quarantined) if quarantined
                  else stored_text.text(gettext_noop("The stored file %(name)s did not match its SHA-256. It was "
                                                     "quarantined and a fresh copy was rendered from the approved "
                                                     "content."), name=bad_name)),
            url=revision.get_absolute_url() if hasattr(revision, "get_absolute_url") else "",
        )
    log.warning("Rendition %s of %s was %s; re-rendered", rendition.pk, revision, kind)
    return content


def print_copy(base: bytes, *, printed_by: str, printed_at=None, language: str = "") -> bytes:
    """Stamp "Printed <time> UTC by <name>" over every page of a base PDF, in the
    document's language (the site's when none is given), like the rest of the print."""
    width, height = pdf.page_sizes(base)[0]
    with override(language or settings.LANGUAGE_CODE):
        html = render_to_string(
            "pdf/print_stamp.html",
            {"page_size": f"{width}pt {height}pt", "printed_at": printed_at or timezone.now(), "printed_by": printed_by,
             "pdf_language": pdf.chosen_language(language)},
        )
    stamp = pdf.html_to_pdf(html)
    return pdf.overlay(base, stamp, repeat_first=True)


def print_filename(revision: Revision) -> str:
    return safe_filename(f"{revision.document.number}-rev-{_label(revision)}-{date.today():%Y%m%d}.pdf")


def controlled_print(revision: Revision, *, user) -> bytes:
    """A print for `user` now: the stored base (rendered if missing) or, for a
    draft, an on-demand render, with the per-print line stamped on."""
    if revision.status in STORED_STATES:
        rendition, _ = ensure_rendition(revision)
        base = read_rendition(rendition)
    else:
        base, _ = render_revision(prepare(revision))
    return print_copy(base, printed_by=user.display_name if user else "system", language=revision.document.language)


# ------------------------------------------------------------------ jobs
@job_handler("revision_pdf", label=gettext_noop("Controlled PDF"))
def _print_job(job: Job) -> JobOutput:
    revision = _revision_for(job)
    content = controlled_print(revision, user=job.requested_by)
    return JobOutput(filename=print_filename(revision), content=content, content_type="application/pdf")


@job_handler("revision_rendition", label=gettext_noop("Controlled PDF rendition"))
def _rendition_job(job: Job) -> JobOutput:
    """Render and store the base PDF; the job points at the stored file (no copy)."""
    revision = _revision_for(job)
    rendition, _ = ensure_rendition(revision)
    return JobOutput(
        filename=f"{safe_filename(revision.document.number)}-rev-{_label(revision)}.pdf",
        content_type="application/pdf",
        stored_name=rendition.file.name,
        sha256=rendition.sha256,
        size=rendition.size,
    )


def _revision_for(job: Job) -> Revision:
    return Revision.objects.select_related("document__doc_type", "document__owner", "document__department").get(
        pk=job.object_id
    )


def request_revision_pdf(*, revision: Revision, actor) -> Job:
    """A user asks for a controlled print of `revision`: a job row, sent to a
    worker after commit (left pending for the sweep if the broker is down)."""
    require("documents.print_revision", actor, revision)
    return request_job(kind="revision_pdf", actor=actor, target=revision)


# Inside `deferred()`, approvals request no rendition job (see there).
_deferred: ContextVar[bool] = ContextVar("documents_renditions_deferred", default=False)


@contextmanager
def deferred():
    """Approve many past revisions at once (`seed_demo`'s history) without
    rendering each one during the approval: with no broker a rendition job
    runs in-process, about a second a revision. The controlled PDFs are made
    when first printed (`controlled_print` renders a missing base), by the
    quality manual's build, or by the nightly `warm_renditions` task."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def on_revision_approved(*, revision: Revision, actor) -> Job | None:
    """Called by the approve service (inside its transaction or from on_commit):
    render and store the approved revision's controlled PDF in the background."""
    if _deferred.get():
        return None
    return request_job(kind="revision_rendition", actor=actor, target=revision)
