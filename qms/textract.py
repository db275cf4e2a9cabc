"""Text extraction and OCR for stored files (issue 19.4).

Every PDF, image, DOCX (and plain text) an app stores gets its text read in a
background job on the bulk lane, so search finds words that appear only in
the file: a PDF's text layer (pypdf), a DOCX's paragraphs and tables
(python-docx), and OCR with Tesseract (pytesseract) for scanned pages and
images, in the languages of settings.OCR_LANGUAGES. OCR also produces a
searchable PDF (the original pages with an invisible text layer, or the image
with one), stored beside the original under ``<name>.ocr.pdf``; the original
is only read, never altered, so its recorded SHA-256 stays true.

The core knows no app. An app registers each model field holding a stored
file (AppConfig.ready)::

    textract.extracts("records.Evidence", "file", name_field="original_name", sha_field="sha256",
                      owner_field="uploaded_by", filters={"disposed_at__isnull": True},
                      index=textindex.index_evidence)

Saving a row whose file is new (or changed) asks for the file's extraction:
one TextExtraction row per storage name and one job; on commit the job goes
to a worker, so an upload never waits for it. When the text is in, the core
calls ``index(pks)`` with the rows that point at the file, and the app copies
the text where its search reads it (``text_of``/``texts_of``). A row that no
longer matches ``filters`` (disposed) has its file's text forgotten.

Bounded: at most OCR_MAX_PAGES pages read, OCR_MAX_PIXELS pixels per image or
rendered page, OCR_PAGE_TIMEOUT seconds per Tesseract call and OCR_TIME_LIMIT
seconds in all; a corrupt or encrypted PDF, a ZIP bomb posing as a DOCX or a
huge image fails the job with a message saying so. Without Tesseract (or with
a language it lacks) OCR is skipped with a notice and the rest still works.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import shutil
import subprocess
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_init, post_save
from django.utils import timezone
from django.utils.translation import gettext_noop

from qms import jobs, stored_text
from qms.errors import DomainError
from qms.models import Job, TextExtraction
from qms.uploads import extension_of

log = logging.getLogger(__name__)

KIND = "text_extraction"
PDF_TYPES = ("pdf",)
IMAGE_TYPES = ("png", "jpg", "jpeg")
DOCX_TYPES = ("docx",)
TEXT_TYPES = ("txt", "csv")
EXTRACTABLE = PDF_TYPES + IMAGE_TYPES + DOCX_TYPES + TEXT_TYPES
# A page whose text layer has fewer letters than this is taken for a scan and OCR'd.
MIN_PAGE_CHARS = 20


@dataclass(frozen=True)
class Source:
    label: str
    file_field: str
    name_field: str = ""
    sha_field: str = ""
    owner_field: str = ""
    filters: dict = field(default_factory=dict)
    index: Callable[[list[int]], None] | None = None

    @property
    def model(self):
        return apps.get_model(self.label)

    def active(self, obj) -> bool:
        """Does `obj` still match `filters` (simple `field` / `field__isnull` lookups)?"""
        for key, want in self.filters.items():
            name, _, lookup = key.partition("__")
            value = getattr(obj, name, None)
            if lookup == "isnull":
                if (value is None) != bool(want):
                    return False
            elif value != want:
                return False
        return True


_SOURCES: list[Source] = []
# The file fields remembered per model when a row is loaded (post_init runs for every row
# a page reads: a register of 50 documents loads 100 revisions).
_FIELDS: dict[type, tuple[str, ...]] = {}


def extracts(label: str, file_field: str, *, name_field: str = "", sha_field: str = "", owner_field: str = "",
             filters: dict | None = None, index: Callable[[list[int]], None] | None = None) -> None:
    """Register a model field holding a stored file's name (called from AppConfig.ready)."""
    source = Source(label, file_field, name_field, sha_field, owner_field, filters or {}, index)
    _SOURCES.append(source)
    model = source.model
    _FIELDS[model] = tuple(dict.fromkeys((*_FIELDS.get(model, ()), file_field)))
    post_init.connect(_remember, sender=model, dispatch_uid=f"textract-init-{label}")
    post_save.connect(_saved, sender=model, dispatch_uid=f"textract-save-{label}")


def sources() -> list[Source]:
    return list(_SOURCES)


def can_extract(name: str) -> bool:
    return extension_of(name) in EXTRACTABLE


# ------------------------------------------------------------------ reads for the apps
def text_of(name: str) -> str:
    if not name:
        return ""
    return TextExtraction.objects.filter(file=name, status=TextExtraction.Status.DONE).values_list(
        "text", flat=True).first() or ""


def texts_of(names) -> dict[str, str]:
    names = [n for n in set(names) if n]
    if not names:
        return {}
    return dict(TextExtraction.objects.filter(file__in=names, status=TextExtraction.Status.DONE)
                .values_list("file", "text"))


def for_files(names) -> dict[str, TextExtraction]:
    """The extraction rows of these files (for the file's page), text deferred: one query."""
    names = [n for n in set(names) if n]
    if not names:
        return {}
    return {x.file: x for x in TextExtraction.objects.filter(file__in=names).defer("text").select_related("job")}


# ------------------------------------------------------------------ asking for it: the save hook
def _remember(sender, instance, **kwargs):
    values = instance.__dict__
    instance._textract_seen = {f: values.get(f) for f in _FIELDS.get(sender, ())}


def _saved(sender, instance, created, raw=False, **kwargs):
    if raw or not getattr(settings, "TEXTRACT_ENABLED", True):
        return
    seen = getattr(instance, "_textract_seen", {})
    for source in _SOURCES:
        if source.model is not sender:
            continue
        name = getattr(instance, source.file_field, "") or ""
        before = seen.get(source.file_field)
        if not source.active(instance):
            if name:
                forget(name)
            continue
        if name and (created or name != before) and can_extract(name):
            request(source, instance, name)
    _remember(sender, instance)


def request(source: Source, obj, name: str) -> TextExtraction:
    """Ask for the text of `name` (already stored): a new row and a job, or,
    when the file was read before (a new revision keeping its PDF), the text at once."""
    original = getattr(obj, source.name_field, "") if source.name_field else ""
    extraction, created = TextExtraction.objects.get_or_create(
        file=name, defaults={"original_name": original or os.path.basename(name)})
    if not created:
        if extraction.status == TextExtraction.Status.DONE and source.index:
            source.index([obj.pk])
        return extraction
    owner = getattr(obj, source.owner_field, None) if source.owner_field else None
    job = jobs.request_job(kind=KIND, actor=owner, target=extraction, params={"file": original or name})
    TextExtraction.objects.filter(pk=extraction.pk).update(job=job)
    extraction.job = job
    return extraction


def forget(name: str) -> None:
    """The file is gone (disposed): drop its text and its searchable PDF, once
    no active row points at it any more."""
    if _referencing(name):
        return
    rows = list(TextExtraction.objects.filter(file=name).values_list("pk", "searchable_pdf"))
    if not rows:
        return
    TextExtraction.objects.filter(file=name).delete()
    searchable = [s for _, s in rows if s]
    transaction.on_commit(lambda: [default_storage.delete(s) for s in searchable if default_storage.exists(s)])
    _reindex(name, include_inactive=True)


def _referencing(name: str) -> bool:
    for source in _SOURCES:
        if source.model.objects.filter(**{source.file_field: name}, **source.filters).exists():
            return True
    return False


def _reindex(name: str, *, include_inactive: bool = False) -> None:
    for source in _SOURCES:
        if source.index is None:
            continue
        qs = source.model.objects.filter(**{source.file_field: name})
        if not include_inactive:
            qs = qs.filter(**source.filters)
        pks = list(qs.values_list("pk", flat=True))
        if pks:
            source.index(pks)


def reextract(name: str, *, actor=None) -> TextExtraction:
    """Read a file again (after Tesseract was installed, say): the row goes back to pending with a new job."""
    extraction = TextExtraction.objects.get(file=name)
    job = jobs.request_job(kind=KIND, actor=actor, target=extraction, params={"file": extraction.original_name})
    TextExtraction.objects.filter(pk=extraction.pk).update(
        job=job, status=TextExtraction.Status.PENDING, error="", error_i18n=None, notice="", notice_i18n=None,
        ocr_skipped=False)
    extraction.refresh_from_db()
    return extraction


# ------------------------------------------------------------------ Tesseract
def _tesseract():
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = settings.TESSERACT_CMD
    # One thread per Tesseract run: its OpenMP threads fight over the cores a busy
    # worker shares (4× slower per page under load, measured); parallelism is the workers'.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    return pytesseract


@functools.lru_cache(maxsize=8)
def _installed_languages(cmd: str) -> tuple[str, ...] | str:
    """The languages `cmd --list-langs` names, or why it could not run (cached per binary)."""
    try:
        proc = subprocess.run([cmd, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{type(exc).__name__}: {exc}"
    if proc.returncode:
        return (proc.stderr or proc.stdout or f"exit status {proc.returncode}").strip()[:200]
    return tuple(line.strip() for line in proc.stdout.splitlines()[1:] if line.strip())


def ocr_unavailable() -> str:
    """'' when Tesseract runs here with every configured language; else why not, in words."""
    cmd = settings.TESSERACT_CMD
    installed = _installed_languages(cmd)
    if isinstance(installed, str):
        if shutil.which(cmd) is None:
            return (stored_text.text(
                gettext_noop("OCR skipped: Tesseract is not installed on this server (no “%(command)s” found); "
                             "only the file's own text was read. Install tesseract-ocr and read the file again."),
                command=cmd))
        return stored_text.text(gettext_noop("OCR skipped: Tesseract does not run here (%(error)s)."),
                                error=installed)
    missing = [lang for lang in languages().split("+") if lang not in installed]
    if missing:
        return (stored_text.text(
            gettext_noop("OCR skipped: the Tesseract language data for %(missing)s is not installed "
                         "(OCR_LANGUAGES=%(languages)s)."),
            missing=", ".join(missing), languages=languages()))
    return ""


def languages() -> str:
    return "+".join(x.strip() for x in settings.OCR_LANGUAGES.replace(",", "+").split("+") if x.strip()) or "eng"


class _Deadline:
    def __init__(self):
        self.until = time.monotonic() + settings.OCR_TIME_LIMIT

    def check(self, done: int, total: int):
        if time.monotonic() > self.until:
            raise DomainError(stored_text.text(
                gettext_noop("Text extraction stopped after %(limit)s s (the time limit), "
                             "with %(done)s of %(total)s pages read."),
                limit=settings.OCR_TIME_LIMIT, done=done, total=total))

    def left(self) -> float:
        return max(1.0, min(settings.OCR_PAGE_TIMEOUT, self.until - time.monotonic()))


def _ocr_image(image, *, dpi: int, deadline: _Deadline, text_only: bool) -> tuple[str, bytes]:
    """One Tesseract run: (text, PDF bytes). `text_only`: the PDF has the
    invisible text alone (to lay over an original page); else the image too."""
    pytesseract = _tesseract()
    with tempfile.TemporaryDirectory(prefix="qms-ocr-") as tmp:
        src, base = os.path.join(tmp, "page.png"), os.path.join(tmp, "out")
        image.save(src, dpi=(dpi, dpi))
        config = f"--dpi {dpi}" + (" -c textonly_pdf=1" if text_only else "")
        try:
            pytesseract.pytesseract.run_tesseract(src, base, extension="txt pdf", lang=languages(), config=config,
                                                  timeout=deadline.left())
        except RuntimeError as exc:  # pytesseract's timeout
            raise DomainError(stored_text.text(
                gettext_noop("OCR of a page took longer than %(limit)s s and was stopped."),
                limit=settings.OCR_PAGE_TIMEOUT)) from exc
        except pytesseract.TesseractError as exc:
            raise DomainError(stored_text.text(gettext_noop("Tesseract failed: %(error)s"),
                                               error=str(exc)[:300])) from exc
        with open(base + ".txt", encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        with open(base + ".pdf", "rb") as fh:
            pdf = fh.read()
    return text, pdf


# ------------------------------------------------------------------ the readers
@dataclass
class Result:
    text: str = ""
    method: str = ""
    pages: int | None = None
    ocr_pages: int = 0
    notices: list[str] = field(default_factory=list)  # stored texts (qms.stored_text)
    searchable_pdf: bytes = b""
    ocr_skipped: bool = False  # a page or the image needed OCR, and Tesseract (or a language) is missing


def _check_pixels(width: int, height: int) -> None:
    limit = settings.OCR_MAX_PIXELS
    if width * height > limit:
        raise DomainError(stored_text.text(
            gettext_noop("The image is %(width)s×%(height)s pixels (%(megapixels)s megapixels); "
                         "the limit for OCR is %(limit)s megapixels. Scan it at a lower resolution."),
            width=width, height=height, megapixels=f"{width * height / 1e6:.0f}",
            limit=f"{limit / 1e6:.0f}"))


def read_image(data: bytes, progress: Callable[[int], None]) -> Result:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit is checked next
            probe = Image.open(io.BytesIO(data))  # the header only: size before any pixel is decoded
        with probe:
            _check_pixels(*probe.size)
            dpi = probe.info.get("dpi", (0, 0))[0] or 0
            probe.load()
            image = probe.convert("RGB") if probe.mode not in ("RGB", "L", "1") else probe.copy()
    except Image.DecompressionBombError as exc:
        raise DomainError(stored_text.text(
            gettext_noop("The image is too large to read safely (%(error)s)."),
            error=exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise DomainError(stored_text.text(gettext_noop("The image could not be read (%(error)s)."),
                                           error=f"{type(exc).__name__}: {str(exc)[:200]}")) from exc
    result = Result(method="ocr", pages=1)
    reason = ocr_unavailable()
    if reason:
        result.method, result.notices, result.ocr_skipped = "", [reason], True
        return result
    dpi = int(dpi) if 70 <= dpi <= 1200 else 300
    text, pdf = _ocr_image(image, dpi=dpi, deadline=_Deadline(), text_only=False)
    progress(100)
    result.text, result.ocr_pages, result.searchable_pdf = text, 1, pdf
    return result


def read_pdf(data: bytes, progress: Callable[[int], None]) -> Result:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several kinds for unknown ciphers
                ok = 0
            if not ok:
                raise DomainError(stored_text.text(gettext_noop(
                    "The PDF is encrypted (password-protected); its text cannot be read. Upload an unprotected copy.")))
        total = len(reader.pages)
    except DomainError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for broken files
        raise DomainError(stored_text.text(gettext_noop("The PDF could not be read (%(error)s)."),
                                           error=f"{type(exc).__name__}: {str(exc)[:200]}")) from exc
    limit = settings.OCR_MAX_PAGES
    count = min(total, limit)
    result = Result(method="text layer", pages=total)
    if total > limit:
        result.notices.append(stored_text.text(
            gettext_noop("Only the first %(limit)s of %(total)s pages were read (OCR_MAX_PAGES)."),
            limit=limit, total=total))
    texts: list[str] = []
    for i in range(count):
        try:
            texts.append(reader.pages[i].extract_text() or "")
        except Exception as exc:  # noqa: BLE001
            log.warning("text layer of page %s unreadable: %s", i + 1, exc)
            texts.append("")
        progress(int(30 * (i + 1) / max(count, 1)))
    # A page with (almost) no text layer is a scan if it shows an image; one with neither is blank.
    scans = [i for i, t in enumerate(texts)
             if sum(ch.isalnum() for ch in t) < MIN_PAGE_CHARS and _shows_images(reader.pages[i])]
    if scans:
        reason = ocr_unavailable()
        if reason:
            result.notices.append(reason)
            result.ocr_skipped = True
        else:
            _ocr_pdf_pages(data, reader, scans, texts, result, progress)
    result.text = "\n\n".join(t.strip() for t in texts if t.strip())
    return result


def _shows_images(page) -> bool:
    """Does the page draw an image (an image XObject, one inside a form XObject, or an inline image)?"""
    def walk(resources, depth: int) -> bool:
        try:
            xobjects = (resources or {}).get("/XObject") or {}
            xobjects = xobjects.get_object() if hasattr(xobjects, "get_object") else xobjects
            for ref in xobjects.values():
                obj = ref.get_object()
                subtype = obj.get("/Subtype")
                if subtype == "/Image":
                    return True
                if subtype == "/Form" and depth < 3 and walk(obj.get("/Resources"), depth + 1):
                    return True
        except Exception:  # noqa: BLE001 - a broken resource dictionary: take it for an image, OCR decides
            return True
        return False

    resources = page.get("/Resources")
    if walk(resources.get_object() if hasattr(resources, "get_object") else resources, 0):
        return True
    try:
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
    except Exception:  # noqa: BLE001
        return True
    return b"\nBI" in data or data.startswith(b"BI")


def _ocr_pdf_pages(data, reader, scans, texts, result, progress) -> None:
    """OCR the pages without a text layer; lay each page's invisible text over the original page."""
    import pypdfium2 as pdfium
    from pypdf import PdfReader, PdfWriter, Transformation

    deadline = _Deadline()
    writer = PdfWriter(clone_from=reader)
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise DomainError(stored_text.text(
            gettext_noop("The PDF's pages could not be rendered for OCR (%(error)s)."),
            error=exc)) from exc
    try:
        for n, i in enumerate(scans):
            deadline.check(n, len(scans))
            page = document[i]
            width, height = page.get_size()  # points
            dpi = settings.OCR_DPI
            pixels = (width * dpi / 72) * (height * dpi / 72)
            if pixels > settings.OCR_MAX_PIXELS:  # a huge page: render it coarser instead
                dpi = max(72, int(dpi * (settings.OCR_MAX_PIXELS / pixels) ** 0.5))
            image = page.render(scale=dpi / 72).to_pil()
            page.close()
            text, overlay = _ocr_image(image, dpi=dpi, deadline=deadline, text_only=True)
            texts[i] = ((texts[i] or "") + "\n" + text).strip()
            layer = PdfReader(io.BytesIO(overlay)).pages[0]
            target = writer.pages[i]
            box = target.mediabox
            sx = float(box.width) / float(layer.mediabox.width)
            sy = float(box.height) / float(layer.mediabox.height)
            target.merge_transformed_page(
                layer, Transformation().scale(sx, sy).translate(float(box.left), float(box.bottom)), over=True)
            result.ocr_pages += 1
            progress(30 + int(65 * (n + 1) / len(scans)))
    finally:
        document.close()
    out = io.BytesIO()
    writer.write(out)
    result.searchable_pdf = out.getvalue()
    result.method = "ocr" if result.ocr_pages == len(texts) else "text layer + ocr"


def _check_zip(data: bytes, what: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DomainError(stored_text.text(
            gettext_noop("The %(kind)s file could not be read (not a valid ZIP package: %(error)s)."),
            kind=what, error=exc)) from exc
    unpacked = sum(i.file_size for i in infos)
    if len(infos) > 5000 or unpacked > settings.TEXTRACT_MAX_UNPACKED_BYTES:
        raise DomainError(stored_text.text(
            gettext_noop("The %(kind)s file unpacks to %(size)s MB in %(parts)s parts, more than the "
                         "limit of %(limit)s MB: it was not read (it may be a ZIP bomb)."),
            kind=what, size=f"{unpacked / 1048576:.0f}", parts=len(infos),
            limit=f"{settings.TEXTRACT_MAX_UNPACKED_BYTES / 1048576:.0f}"))
    return archive


def read_docx(data: bytes, progress: Callable[[int], None]) -> Result:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_zip(data, "DOCX")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DomainError(stored_text.text(gettext_noop("The DOCX file could not be read (%(error)s)."),
                                           error=f"{type(exc).__name__}: {str(exc)[:200]}")) from exc
    except Exception as exc:  # noqa: BLE001 - lxml and python-docx raise several kinds for broken parts
        raise DomainError(stored_text.text(gettext_noop("The DOCX file could not be read (%(error)s)."),
                                           error=f"{type(exc).__name__}: {str(exc)[:200]}")) from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    for section in document.sections:
        for part in (section.header, section.footer):
            parts.extend(p.text for p in part.paragraphs)
    progress(100)
    return Result(text="\n".join(p for p in parts if p.strip()), method="docx")


def read_text(data: bytes, progress: Callable[[int], None]) -> Result:
    text = data.decode("utf-8-sig", errors="replace")
    return Result(text=text, method="text")


def read(name: str, data: bytes, progress: Callable[[int], None] = lambda p: None) -> Result:
    ext = extension_of(name)
    if ext in PDF_TYPES:
        return read_pdf(data, progress)
    if ext in IMAGE_TYPES:
        return read_image(data, progress)
    if ext in DOCX_TYPES:
        return read_docx(data, progress)
    if ext in TEXT_TYPES:
        return read_text(data, progress)
    raise DomainError(stored_text.text(gettext_noop("Files of type .%(ext)s have no text to extract."),
                                       ext=ext))


# ------------------------------------------------------------------ the job
def _searchable_name(name: str) -> str:
    stem, _ = os.path.splitext(name)
    return f"{stem}.ocr.pdf"


@jobs.job_handler(KIND, label=gettext_noop("Text extraction"), lane="bulk")
def run(job: Job) -> jobs.JobOutput:
    extraction = TextExtraction.objects.get(pk=job.object_id)
    try:
        return _extract(job, extraction)
    except SoftTimeLimitExceeded:
        _failed(extraction, stored_text.text(
            gettext_noop("Text extraction took longer than its time limit (%(limit)s s)."),
            limit=jobs.time_limit_for(KIND) - 30))
        raise
    except DomainError as exc:
        _failed(extraction, stored_text.message_of(exc))
        raise


def _failed(extraction: TextExtraction, message: str) -> None:
    TextExtraction.objects.filter(pk=extraction.pk).update(
        status=TextExtraction.Status.FAILED, finished_at=timezone.now(), **stored_text.fields("error", message, limit=4000))


def _extract(job: Job, extraction: TextExtraction) -> jobs.JobOutput:
    from hashlib import sha256

    name = extraction.file
    try:
        with default_storage.open(name, "rb") as fh:
            data = fh.read(settings.UPLOAD_MAX_BYTES * 4 + 1)
    except FileNotFoundError as exc:
        raise DomainError(stored_text.text(gettext_noop("The stored file %(name)s is missing."),
                                           name=extraction.original_name or name)) from exc
    except OSError as exc:
        raise jobs.TransientJobError(stored_text.text(gettext_noop("Could not read %(name)s: %(error)s"),
                                                      name=name, error=exc)) from exc
    if len(data) > settings.UPLOAD_MAX_BYTES * 4:
        raise DomainError(stored_text.text(gettext_noop("The file is larger than any upload may be; it was not read.")))
    digest = sha256(data).hexdigest()
    result = read(name, data, lambda p: jobs.set_progress(job, p))
    text = result.text.replace("\x00", "")
    if len(text) > settings.TEXTRACT_MAX_CHARS:
        text = text[: settings.TEXTRACT_MAX_CHARS]
        result.notices.append(stored_text.text(
            gettext_noop("Only the first %(count)s characters of text are kept."),
            count=f"{settings.TEXTRACT_MAX_CHARS:,}"))
    searchable, searchable_sha, searchable_size = "", "", None
    if result.searchable_pdf:
        old = extraction.searchable_pdf
        searchable = default_storage.save(_searchable_name(name), ContentFile(result.searchable_pdf))
        searchable_sha, searchable_size = sha256(result.searchable_pdf).hexdigest(), len(result.searchable_pdf)
        if old and old != searchable:
            transaction.on_commit(lambda: default_storage.delete(old) if default_storage.exists(old) else None)
    notice = stored_text.join(result.notices) if result.notices else ""
    with transaction.atomic():
        updated = TextExtraction.objects.filter(pk=extraction.pk).update(
            status=TextExtraction.Status.DONE, method=result.method, text=text, pages=result.pages,
            ocr_pages=result.ocr_pages, languages=languages() if result.ocr_pages else "",
            ocr_skipped=result.ocr_skipped, error="", error_i18n=None, sha256=digest, searchable_pdf=searchable,
            searchable_sha256=searchable_sha, searchable_size=searchable_size, finished_at=timezone.now(),
            **stored_text.fields("notice", notice))
        if updated:
            _reindex(name)
        Job.objects.filter(pk=job.pk).update(params={**job.params, **stored_text.fields("notice", notice),
                                                     "method": result.method})
    if searchable:
        return jobs.JobOutput(filename=_download_name(extraction, "pdf"), stored_name=searchable,
                              sha256=searchable_sha, size=searchable_size, content_type="application/pdf")
    return jobs.JobOutput(filename=_download_name(extraction, "txt"), content=text.encode("utf-8"),
                          content_type="text/plain; charset=utf-8")


def _download_name(extraction: TextExtraction, ext: str) -> str:
    stem = os.path.splitext(extraction.original_name or os.path.basename(extraction.file))[0]
    return f"{stem}.{'ocr.pdf' if ext == 'pdf' else 'txt'}"
