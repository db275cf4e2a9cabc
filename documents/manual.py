"""The compiled quality manual (ISO 9001 4.3, 5.2, 7.5; DOC-16): one PDF of
every effective document, grouped by type in `DocumentType.manual_order`,
after a cover page and a contents page with page numbers.

It is merged with pypdf from the per-revision controlled PDFs
(`renditions.ensure_rendition`), so a rebuild after one document changed
renders only that document; every other part is the stored file, reused.
Page numbers in the contents come from the stored page counts: the front
matter is laid out, its own length measured, and laid out again if the
contents spilled onto another page. Each build is kept (`ManualBuild`) with its
date, manual revision, the revisions it holds and its SHA-256.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_noop

from documents import renditions
from documents.models import ManualBuild, Rendition, Revision
from qms import pdf, stored_text
from qms.jobs import JobOutput, TransientJobError, commit_ready, job_handler, request_job, set_progress
from qms.models import Job
from qms.rules import require


@dataclass
class Entry:
    revision_id: int
    number: str
    title: str
    label: str
    type_code: str
    type_name: str
    pages: int
    start_page: int = 0
    rendition_id: int = 0
    error: str = ""  # why the document could not be rendered (then it has no pages here)


@dataclass
class Group:
    name: str
    entries: list[Entry] = field(default_factory=list)


def effective_revisions():
    """Every effective revision, in manual order: type order, type code, number."""
    return (
        Revision.objects.filter(status=Revision.Status.EFFECTIVE)
        .select_related("document__doc_type", "document__owner", "document__department")
        .order_by("document__doc_type__manual_order", "document__doc_type__code", "document__number")
    )


def _front_matter(*, groups, manual_revision, built_at, entries, body_pages, front_pages):
    """Lay out cover + contents assuming the front matter is `front_pages`
    long; returns the laid-out WeasyPrint document (pages known, not written)."""
    page = front_pages + 1
    for e in entries:
        e.start_page = 0 if e.error else page
        page += e.pages
    html = render_to_string(
        "pdf/manual_front.html",
        {
            "COMPANY_NAME": settings.COMPANY_NAME,
            "groups": groups,
            "manual_revision": manual_revision,
            "built_at": built_at,
            "entry_count": len(entries),
            "total_pages": front_pages + body_pages,
            "css_footer": pdf.css_string(f"Quality manual revision {manual_revision}") + ' " · page " counter(page)',
        },
    )
    return pdf.html_to_document(html)


def build_manual(*, actor=None, job: Job | None = None) -> ManualBuild:
    """Compile and store a new manual build from the effective revisions."""
    revisions = list(effective_revisions())
    # Which stored PDFs are still current, in a fixed number of queries; only
    # the others are rendered (each under its revision's lock).
    prepared = renditions.prepare_many(revisions)
    stored = {
        (r.revision_id, r.fingerprint): r
        for r in Rendition.objects.filter(revision__in=revisions).only("pk", "revision_id", "fingerprint", "page_count", "file", "sha256")
    }
    entries: list[Entry] = []
    groups: dict[str, Group] = {}
    files: dict[int, Rendition] = {}
    renders = 0
    broken: list[Entry] = []
    for i, rev in enumerate(revisions, start=1):
        rendition = stored.get((rev.pk, prepared[rev.pk].fingerprint))
        error = ""
        if rendition is None:
            try:
                rendition, rendered = renditions.ensure_rendition(rev)
                renders += int(rendered)
            except TransientJobError:
                raise  # storage trouble: the whole build is retried
            except Exception as exc:  # one broken document does not stop the manual
                error = f"{type(exc).__name__}: {str(exc)[:200]}"
                rendition = None
        if rendition is not None:
            files[rendition.pk] = rendition
        doc_type = rev.document.doc_type
        entry = Entry(
            revision_id=rev.pk,
            number=rev.document.number,
            title=rev.document.title,
            label=rev.label or str(rev.seq),
            type_code=doc_type.code,
            type_name=doc_type.name,
            pages=rendition.page_count if rendition else 0,
            rendition_id=rendition.pk if rendition else 0,
            error=error,
        )
        entries.append(entry)
        if error:
            broken.append(entry)
        groups.setdefault(doc_type.code, Group(doc_type.name)).entries.append(entry)
        if job is not None and (i % 5 == 0 or i == len(revisions)):
            set_progress(job, 90 * i // max(1, len(revisions)))

    built_at = timezone.now()
    body_pages = sum(e.pages for e in entries)
    contents_rows = None
    for _attempt in range(3):
        manual_revision = (ManualBuild.objects.aggregate(m=Max("manual_revision"))["m"] or 0) + 1
        content, total = _assemble(groups, entries, files, manual_revision, built_at, body_pages)
        contents_rows = [
            {
                "revision_id": e.revision_id, "number": e.number, "title": e.title, "label": e.label,
                "type": e.type_code, "start_page": e.start_page, "pages": e.pages,
                **({"error": "could not be rendered", "reason": e.error} if e.error else {}),
            }
            for e in entries
        ]
        try:
            with transaction.atomic():
                build = ManualBuild(
                    manual_revision=manual_revision,
                    built_by=actor if getattr(actor, "pk", None) else None,
                    contents=contents_rows,
                    sha256=hashlib.sha256(content).hexdigest(),
                    size=len(content),
                    page_count=total,
                    renders=renders,
                )
                build.file.save(f"quality-manual-rev-{manual_revision}.pdf", ContentFile(content), save=False)
                build.save()
                build.revisions.set([e.revision_id for e in entries if not e.error])
                if broken:
                    _report_broken(build, broken)
                if job is not None:
                    # The build row and the job's "ready" commit together: a
                    # superseded attempt's build is rolled back (qms/jobs.py).
                    commit_ready(job, _job_output(build))
                return build
        except IntegrityError:
            # Two builds at once took the same manual revision number: the
            # later one assembles again under the next number (the cover
            # prints it), reusing every stored rendition.
            continue
    raise TransientJobError(gettext_noop("Could not number the manual build; try again."))


def _report_broken(build: ManualBuild, broken: list[Entry]) -> None:
    """The QM learns which documents are missing from the build, and why."""
    from qms.audit import record_event
    from qms.notifications import notify_role
    from qms.permissions import Role

    lines = stored_text.join([stored_text.text(gettext_noop("%(number)s rev %(label)s %(title)s: could not be rendered "
                                                            "(%(error)s)"),
                                               number=e.number, label=e.label, title=e.title, error=e.error)
                              for e in broken], sep="\n")
    record_event(actor=None, verb="manual.incomplete", obj=build, comment=lines[:500],
                 data={"broken": [e.revision_id for e in broken]})
    title = stored_text.ngettext("Quality manual revision %(revision)s: %(count)s document could not be rendered",
                                 "Quality manual revision %(revision)s: %(count)s documents could not be rendered",
                                 len(broken), revision=build.manual_revision, count=len(broken))
    notify_role(Role.QUALITY_MANAGER, title=title, body=lines)


def _front_pages_guess(entry_count: int) -> int:
    """The last build's front-matter length if it had as many entries (a
    rebuild then lays out once), else cover + about 35 contents lines a page."""
    last = ManualBuild.objects.only("contents").first()
    if last and last.contents and len(last.contents) == entry_count:
        starts = [c["start_page"] for c in last.contents if c.get("start_page")]
        if starts:
            return starts[0] - 1
    return 1 + max(1, -(-entry_count // 35))


def _assemble(groups, entries, files, manual_revision, built_at, body_pages) -> tuple[bytes, int]:
    """Front matter laid out until its length is stable (start pages depend on
    it), then the stored PDFs appended."""
    front_pages, document = _front_pages_guess(len(entries)), None
    for _ in range(4):
        document = _front_matter(
            groups=list(groups.values()), manual_revision=manual_revision, built_at=built_at,
            entries=entries, body_pages=body_pages, front_pages=front_pages,
        )
        if len(document.pages) == front_pages:
            break
        front_pages = len(document.pages)
    front = document.write_pdf()
    try:
        # Whole files into memory: pypdf seeks a lot, and a storage backend's
        # file object (local or S3) is slow at that. ~3 pages are ~30 kB.
        parts = [front]
        for e in entries:
            if not e.error:
                parts.append(renditions.read_rendition(files[e.rendition_id]))  # SHA-256 checked on every read
        bookmarks = [("Contents", 1)] + [
            (f"{e.number} {e.title} (rev {e.label})", e.start_page - 1) for e in entries if not e.error
        ]
        return pdf.merge(parts, outline=bookmarks)
    except OSError as exc:
        raise TransientJobError(gettext_noop("Could not read a stored PDF: %(error)s") % {"error": exc}) from exc


@job_handler("quality_manual", label=gettext_noop("Quality manual"), lane="bulk")
def _manual_job(job: Job) -> JobOutput:
    return _job_output(build_manual(actor=job.requested_by, job=job))


def _job_output(build: ManualBuild) -> JobOutput:
    return JobOutput(
        filename=f"quality-manual-rev-{build.manual_revision}.pdf",
        content_type="application/pdf",
        stored_name=build.file.name,
        sha256=build.sha256,
        size=build.size,
    )


def request_manual_build(*, actor) -> Job:
    """The quality manager asks for a new build: a job row, run in the background."""
    require("documents.build_manual", actor)
    return request_job(kind="quality_manual", actor=actor)


class ManualFileChanged(Exception):
    """A stored manual build no longer matches its SHA-256 (it was quarantined)."""


def check_manual_file(build: ManualBuild) -> None:
    """Check a stored manual build against its SHA-256 before it is served.

    A changed or missing file is never issued: the bad bytes are kept aside
    under quarantine/, an integrity event is recorded on the build, the quality
    managers are told, and ManualFileChanged is raised so the caller can offer a
    fresh build (a manual is assembled from the per-revision PDFs, themselves
    checked on every read, so a rebuild is fast and trustworthy)."""
    from qms.audit import record_event
    from qms.notifications import notify_role
    from qms.permissions import Role

    digest, found = hashlib.sha256(), True
    try:
        with default_storage.open(build.file.name, "rb") as fh:
            for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                digest.update(chunk)
    except FileNotFoundError:
        found = False
    if found and digest.hexdigest() == build.sha256:
        return
    kind = "changed" if found else "missing"
    quarantined = ""
    if found:
        with default_storage.open(build.file.name, "rb") as fh:
            quarantined = default_storage.save(f"quarantine/{build.file.name}", ContentFile(fh.read()))
        default_storage.delete(build.file.name)
    record_event(
        actor=None, verb=f"integrity.{kind}", obj=build,
        comment=f"The stored quality manual revision {build.manual_revision} was {kind}; it is no longer issued",
        data={"file": build.file.name, "expected_sha256": build.sha256,
              "found_sha256": digest.hexdigest() if found else "", "quarantined_as": quarantined},
    )
    title = (stored_text.text(gettext_noop("Quality manual revision %(revision)s: stored file changed"),
                              revision=build.manual_revision) if found
             else stored_text.text(gettext_noop("Quality manual revision %(revision)s: stored file missing"),
                                   revision=build.manual_revision))
    notify_role(
        Role.QUALITY_MANAGER,
        title=title,
        body=stored_text.text(gettext_noop("The file was quarantined and is no longer served. Build the manual again "
                                           "from the controlled PDFs.")),
        url="/documents/manual/",
    )
    raise ManualFileChanged(kind)
