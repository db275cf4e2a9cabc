"""PDF helpers (WeasyPrint for layout, pypdf for stamping and merging).
Print layouts live in templates/pdf/.

`render_pdf(template, context)` is the one entry point apps use for printable
output (records, audit plans and reports, readiness summaries); the controlled
document renditions and the quality manual build on the helpers below.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext, gettext_lazy

# pypdf works on the file objects we hand it; nothing here touches MEDIA_ROOT.


def _font_config():
    """One FontConfiguration per process: building it scans the system fonts,
    which costs more than rendering a short page."""
    global _FONTS
    if _FONTS is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONTS = FontConfiguration()
    return _FONTS


_FONTS = None


def _allowed_roots() -> list[Path]:
    """Folders whose files a PDF may embed: our static files and stored media."""
    roots = [Path(d) for d in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    if settings.MEDIA_ROOT:
        roots.append(Path(settings.MEDIA_ROOT))
    return [r.resolve() for r in roots]


def _local_file(url: str) -> Path | None:
    """The file a URL names if it is one of ours: `file:` under an allowed
    root, or `<SITE_URL or />static/…` / `…/media/…`; else None."""
    from urllib.parse import unquote, urlsplit
    from urllib.request import url2pathname

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(unquote(parts.path)))
    elif scheme in ("http", "https"):
        site = urlsplit(settings.SITE_URL)
        if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
            return None  # never onto the network, not even to ourselves
        path = None
        for prefix, root in ((settings.STATIC_URL or "", None), (getattr(settings, "MEDIA_URL", "") or "", settings.MEDIA_ROOT)):
            prefix = "/" + prefix.strip("/") + "/"
            if prefix != "//" and parts.path.startswith(prefix):
                rest = unquote(parts.path[len(prefix) :])
                if root is None:
                    from django.contrib.staticfiles import finders

                    found = finders.find(rest)
                    path = Path(found) if found else None
                else:
                    path = Path(root) / rest
                break
        if path is None:
            return None
    else:
        return None
    try:
        path = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not path.is_file() or not any(path.is_relative_to(root) for root in _allowed_roots()):
        return None
    return path


def url_fetcher():
    """The only URL fetcher our PDFs use: `data:` URIs and our own static and
    media files; every other URL (the network, loopback, other files) is
    refused, so author content cannot make the server fetch anything (SSRF)."""
    import mimetypes

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            path = _local_file(url)
            if path is None:
                raise ValueError(f"Not fetched (only our own static and media files are): {url[:200]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    return SafeURLFetcher(allowed_protocols=("data", "file", "http", "https"), allow_redirects=False)


def html_to_document(html: str, *, base_url: str | None = None):
    """A laid-out WeasyPrint document (pages known, PDF not yet written).
    Every PDF we render goes through here (or `html_to_pdf`), with our URL fetcher."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url or str(settings.BASE_DIR), url_fetcher=url_fetcher()).render(
        font_config=_font_config()
    )


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    return html_to_document(html, base_url=base_url).write_pdf()


def render_pdf(template: str, context: dict) -> bytes:
    context = {"COMPANY_NAME": settings.COMPANY_NAME, **context}
    return html_to_pdf(render_to_string(template, context))


# ------------------------------------------------------------------ fonts and language
# Every print layout includes templates/pdf/_fonts.html: the shipped CJK font
# (static/vendor/noto-sans-sc-*, loaded through `@font-face`) after DejaVu and
# Liberation in one font stack, so Latin text keeps its fonts and Chinese text
# prints whatever fonts the machine has (none, in CI's font test).
def static_file_uri(name: str) -> str:
    """A `file:` URI of one of our static files, for a PDF to load through
    `url_fetcher`. Not `{% static %}`: that is a URL for browsers (hashed by
    the manifest storage), and PDFs fetch nothing over the network. The source
    file (static/) is used, or its collected copy where only STATIC_ROOT exists."""
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.exceptions import ImproperlyConfigured

    found = finders.find(name)
    path = Path(found) if found else None
    if path is None and settings.STATIC_ROOT:
        path = Path(staticfiles_storage.path(name))
    if path is None or not path.is_file():
        raise ImproperlyConfigured(f"The static file {name} that PDFs load is missing (run collectstatic?)")
    return path.resolve().as_uri()


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")


def chosen_language(code: str) -> str:
    """A layout's `pdf_language`: the code when it is not the site's, else "" (the text tells; see pdf_lang)."""
    return code if code and code != settings.LANGUAGE_CODE else ""


def language_tag(code: str) -> str:
    """A Django language code as the BCP 47 tag a `lang` attribute carries: zh-hans → zh-Hans, pt-br → pt-BR."""
    head, _, tail = code.partition("-")
    if not tail:
        return head
    return f"{head}-{tail.title() if len(tail) == 4 else tail.upper()}"


def text_language(*texts) -> str:
    """The `lang` a PDF of these texts carries: `zh-Hans`, `ja` or `ko` when at
    least half their letters are CJK (kana means Japanese, Hangul Korean, Han
    alone Chinese; our shipped font is Simplified Chinese), else the site's
    LANGUAGE_CODE. Pango picks the regional glyph forms from it."""
    text = "\n".join(str(t) for t in texts if t)
    han, kana, hangul = (len(rx.findall(text)) for rx in (_HAN, _KANA, _HANGUL))
    cjk = han + kana + hangul
    if not cjk or cjk * 2 < len(_LETTER.findall(text)):
        return settings.LANGUAGE_CODE
    if kana:
        return "ja"
    return "ko" if hangul > han else "zh-Hans"


# ------------------------------------------------------------------ building blocks
def css_string(value) -> str:
    """A CSS string literal for `content:` in @page margin boxes. Everything but
    plain characters is hex-escaped, so user text cannot break out of it."""
    out = []
    for ch in str(value):
        if ch.isalnum() or ch in " .,-_:/()#&+":
            out.append(ch)
        elif ch == "\n":
            out.append("\\A ")
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def qr_data_uri(url: str) -> str:
    """A QR code for `url` as an SVG data URI (vector: sharp at any print size)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    qr = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, image_factory=SvgPathImage)
    qr.add_data(url)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of each page."""
    from pypdf import PdfReader

    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(io.BytesIO(pdf)).pages]


def overlay(base: bytes, stamp: bytes, *, repeat_first: bool = False, append_rest: bool = False) -> bytes:
    """Stamp `stamp`'s pages over `base`'s pages (page i on page i, or the first
    stamp page on every page with `repeat_first`). With `append_rest`, stamp
    pages beyond the base's count are appended (e.g. a signature page)."""
    from pypdf import PdfReader, PdfWriter

    base_reader = PdfReader(io.BytesIO(base))
    stamp_reader = PdfReader(io.BytesIO(stamp))
    writer = PdfWriter(clone_from=base_reader)
    strip_active_content(writer)  # an uploaded PDF's JavaScript never reaches a controlled print
    for i, page in enumerate(writer.pages):
        source = stamp_reader.pages[0 if repeat_first else i] if (repeat_first or i < len(stamp_reader.pages)) else None
        if source is not None:
            page.merge_page(source, over=True)
    if append_rest and not repeat_first:
        for extra in stamp_reader.pages[len(base_reader.pages) :]:
            writer.add_page(extra)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def merge(parts: Iterable, *, outline: Iterable[tuple[str, int]] = ()) -> tuple[bytes, int]:
    """Concatenate PDFs (bytes or binary file objects); returns (bytes, pages).
    Pages only: the parts' outlines and named destinations are not carried over
    (importing them costs more than the pages themselves); `outline` adds
    bookmarks as (title, 0-based page index)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        reader = PdfReader(io.BytesIO(part) if isinstance(part, bytes | bytearray) else part)
        for page in reader.pages:
            writer.add_page(page)
    for title, index in outline:
        writer.add_outline_item(title=title, page_number=index)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def extract_text(pdf: bytes) -> list[str]:
    """The text of each page (tests and the manual's self-check use it)."""
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]


# ------------------------------------------------------------------ uploaded PDFs: checked, active content out
# The refusal's words are in the uploader's language (issue 20); the page shows them at once.
_ACTION_KINDS = {"/JavaScript": gettext_lazy("JavaScript"), "/Launch": gettext_lazy("a launch action"),
                 "/ImportData": gettext_lazy("an import action"), "/SubmitForm": gettext_lazy("a form-submit action"),
                 "/GoToR": gettext_lazy("a link to another file"), "/GoToE": gettext_lazy("an embedded-file link")}


def _action_problems(action, where: str, seen: set) -> list[str]:
    out = []
    while action is not None:
        action = action.get_object() if hasattr(action, "get_object") else action
        if not hasattr(action, "get") or id(action) in seen:
            break
        seen.add(id(action))
        kind = str(action.get("/S", ""))
        if kind in _ACTION_KINDS:
            out.append(gettext("%(kind)s (%(where)s)") % {"kind": _ACTION_KINDS[kind], "where": where})
        action = action.get("/Next")
        if isinstance(action, list):
            action = action[0] if action else None
    return out


def active_content(reader) -> list[str]:
    """What in a parsed PDF would act when it is opened or clicked: JavaScript,
    an action on opening (/OpenAction) or on events (/AA), launch actions,
    embedded files. Empty for an ordinary document."""
    root = reader.trailer["/Root"].get_object()
    found, seen = [], set()
    if "/OpenAction" in root:
        action = root["/OpenAction"].get_object() if hasattr(root["/OpenAction"], "get_object") else root["/OpenAction"]
        if hasattr(action, "get") and "/S" in action:
            found += _action_problems(action, gettext("on opening"), seen) or []
    if "/AA" in root:
        found.append(gettext("actions triggered by events (document)"))
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    if "/JavaScript" in names:
        found.append(gettext("document-level JavaScript"))
    if "/EmbeddedFiles" in names:
        found.append(gettext("embedded files"))
    if "/AcroForm" in root and "/XFA" in root["/AcroForm"].get_object():
        found.append(gettext("an XFA form"))
    for number, page in enumerate(reader.pages, start=1):
        if "/AA" in page:
            found.append(gettext("actions triggered by events (page %(number)s)") % {"number": number})
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if str(annot.get("/Subtype")) == "/FileAttachment":
                found.append(gettext("an attached file (page %(number)s)") % {"number": number})
            if "/AA" in annot:
                found.append(gettext("actions triggered by events (page %(number)s)") % {"number": number})
            found += _action_problems(annot.get("/A"), gettext("page %(number)s") % {"number": number}, seen)
    return list(dict.fromkeys(found))


def check_uploaded_pdf(data: bytes) -> str:
    """'' if `data` is a PDF we can use as a controlled document: it parses,
    every page has content we can read, and nothing in it runs. Otherwise the
    reason, in words for the person uploading it."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return gettext("it is encrypted or password-protected; upload an unprotected PDF")
        if not reader.pages:
            return gettext("it has no pages")
        for page in reader.pages:
            float(page.mediabox.width), float(page.mediabox.height)
            page.get_contents()  # every page's content stream must be readable
        problems = active_content(reader)
    except Exception as exc:  # pypdf raises many kinds for broken files
        return gettext("it is not a readable PDF (%(error)s); export it again from the source") % {
            "error": f"{type(exc).__name__}: {str(exc)[:120]}"}
    if problems:
        return gettext(
            "it contains %(problems)s. Controlled documents may not carry active content (it would run in the "
            "reader's PDF viewer); save it again without it (e.g. “Print to PDF”)") % {"problems": ", ".join(problems)}
    return ""


def strip_active_content(writer) -> None:
    """Remove JavaScript, open/event actions, launch-type link actions and
    embedded files from a PdfWriter in place (defence in depth for files stored
    before uploads were checked: nothing we stamp or serve carries them)."""
    from pypdf.generic import NameObject

    root = writer._root_object
    for key in ("/OpenAction", "/AA"):
        if key in root:
            del root[NameObject(key)]
    names = root.get("/Names")
    if names is not None:
        names = names.get_object()
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[NameObject(key)]
    if "/AcroForm" in root:
        form = root["/AcroForm"].get_object()
        if "/XFA" in form:
            del form[NameObject("/XFA")]
    for page in writer.pages:
        if "/AA" in page:
            del page[NameObject("/AA")]
        annots = page.get("/Annots")
        if not annots:
            continue
        keep = []
        for ref in annots.get_object():
            annot = ref.get_object()
            if str(annot.get("/Subtype")) == "/FileAttachment":
                continue
            if "/AA" in annot:
                del annot[NameObject("/AA")]
            if _action_problems(annot.get("/A"), "", set()):
                del annot[NameObject("/A")]
            keep.append(ref)
        page[NameObject("/Annots")] = type(annots.get_object())(keep)
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)  # the removed objects go too


def sanitized_pdf(data: bytes) -> bytes:
    """`data` without active content (the same bytes if it had none)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data), strict=False)
    if not active_content(reader):
        return data
    writer = PdfWriter()  # pages only (what a viewer shows): the catalogue's actions and names stay behind
    for page in reader.pages:
        writer.add_page(page)
    strip_active_content(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
