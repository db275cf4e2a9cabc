"""Where the files of an import come from (a ZIP, or a server folder for administrators),
and turning a Word file into Markdown.

Every file is read with a size limit (settings.UPLOAD_MAX_BYTES, as any upload);
ZIP members with absolute paths or `..` are never read; a DOCX (itself a ZIP)
is checked for what it unpacks to before mammoth opens it, so a ZIP bomb is a
reported problem, not a full disk or memory.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_noop

from qms.stored_text import text as said

# A Word document that unpacks to more than this, or compresses better than RATIO:1, is refused.
DOCX_MAX_UNPACKED = 100 * 1024 * 1024
DOCX_MAX_RATIO = 100
SUPPORTED = ("docx", "pdf")


class SourceError(Exception):
    """A file of the import cannot be read; its argument is a stored text (qms.stored_text) for the report."""


def _safe_member(name: str) -> str | None:
    name = name.replace("\\", "/")
    if name.startswith("/") or ".." in name.split("/") or name.endswith("/"):
        return None
    return posixpath.normpath(name)


class ZipSource:
    def __init__(self, file):
        try:
            self.zip = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError) as exc:
            raise SourceError(said(
                gettext_noop("The file archive is not a valid ZIP file (%(error)s)."),
                error=exc)) from exc
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in self.zip.infolist():
            name = _safe_member(info.filename)
            if name and not name.startswith("__MACOSX/"):
                self.members[name] = info

    def find(self, name: str) -> str | None:
        """The member named `name`: its path in the ZIP, or its base name if that is unique."""
        name = (name or "").strip().replace("\\", "/")
        if name in self.members:
            return name
        matches = [m for m in self.members if posixpath.basename(m).casefold() == posixpath.basename(name).casefold()]
        return matches[0] if len(matches) == 1 else None

    def size(self, name: str) -> int:
        return self.members[name].file_size

    def read(self, name: str) -> bytes:
        info = self.members[name]
        if info.file_size > settings.UPLOAD_MAX_BYTES:
            raise SourceError(said(
                gettext_noop("“%(name)s” is %(size)s MB; the limit is %(limit)s MB."),
                name=name, size=f"{info.file_size / 1048576:.0f}",
                limit=settings.UPLOAD_MAX_BYTES // 1048576))
        with self.zip.open(info) as fh:
            data = fh.read(settings.UPLOAD_MAX_BYTES + 1)
        if len(data) > settings.UPLOAD_MAX_BYTES:
            raise SourceError(said(
                gettext_noop("“%(name)s” unpacks to more than its directory says."),
                name=name))
        return data

    def close(self):
        fp = self.zip.fp
        self.zip.close()
        if fp is not None and hasattr(fp, "close"):
            fp.close()


class FolderSource:
    """A folder on the server (administrators only, from the command line)."""

    def __init__(self, path: str | os.PathLike):
        self.root = Path(path).resolve()
        if not self.root.is_dir():
            raise SourceError(said(gettext_noop("%(path)s is not a folder."), path=path))
        self.members = {str(p.relative_to(self.root)).replace(os.sep, "/"): p
                        for p in self.root.rglob("*") if p.is_file() and not p.is_symlink()}

    def find(self, name: str) -> str | None:
        name = _safe_member(name or "") or ""
        if name in self.members:
            return name
        matches = [m for m in self.members if posixpath.basename(m).casefold() == posixpath.basename(name).casefold()]
        return matches[0] if len(matches) == 1 else None

    def size(self, name: str) -> int:
        return self.members[name].stat().st_size

    def read(self, name: str) -> bytes:
        if self.size(name) > settings.UPLOAD_MAX_BYTES:
            raise SourceError(said(gettext_noop("“%(name)s” is larger than %(limit)s MB."),
                                   name=name, limit=settings.UPLOAD_MAX_BYTES // 1048576))
        return self.members[name].read_bytes()

    def close(self):
        pass


class EmptySource:
    members: dict = {}

    def find(self, name):
        return None

    def close(self):
        pass


def open_source(path_or_file) -> ZipSource | FolderSource:
    if isinstance(path_or_file, str | os.PathLike) and Path(path_or_file).is_dir():
        return FolderSource(path_or_file)
    return ZipSource(path_or_file)


def docx_problem(data: bytes, name: str) -> str | None:
    """Why the DOCX `name` cannot be converted (a ZIP bomb, not a ZIP, no document part), or None."""
    if not data.startswith(b"PK\x03\x04"):
        return said(gettext_noop("“%(name)s” is not a Word (.docx) file."), name=name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total, names = 0, set()
            for info in zf.infolist():
                total += info.file_size
                names.add(info.filename)
                ratio = info.file_size / max(info.compress_size, 1)
                if total > DOCX_MAX_UNPACKED or (ratio > DOCX_MAX_RATIO and info.file_size > 1024 * 1024):
                    return said(gettext_noop("“%(name)s” unpacks to %(size)s MB or more (compressed "
                                             "%(ratio)s:1): refused as a ZIP bomb."),
                                name=name, size=total // 1048576, ratio=f"{ratio:.0f}")
    except zipfile.BadZipFile:
        return said(gettext_noop("“%(name)s” is a damaged Word file (not a valid ZIP)."), name=name)
    if "word/document.xml" not in names:
        return said(gettext_noop("“%(name)s” is a ZIP but not a Word document (no word/document.xml)."), name=name)
    return None


_USED_STYLE = re.compile(rb'w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink)\s+w:val="([^"]+)"')
_STYLE = re.compile(rb"<w:style\b.*?</w:style>", re.S)
_LATENT = re.compile(rb"<w:latentStyles\b.*?</w:latentStyles>", re.S)
_STYLE_ID = re.compile(rb'w:styleId="([^"]+)"')


def slim_styles(data: bytes) -> bytes:
    """The same Word file with only the styles its text uses (and the defaults).

    mammoth reads styles.xml only for the names of the styles in use (Heading 1 → #),
    but parses all of it; Word's templates carry hundreds of unused and latent
    styles (350 kB in python-docx's), which made each conversion take seconds."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = set(src.namelist())
    if "word/styles.xml" not in names:
        return data
    used = set()
    for part in ("word/document.xml", "word/numbering.xml", "word/footnotes.xml", "word/endnotes.xml"):
        if part in names:
            used |= set(_USED_STYLE.findall(src.read(part)))
    styles = _LATENT.sub(b"", src.read("word/styles.xml"))

    def keep(m):
        sid = _STYLE_ID.search(m.group(0)[:400])
        return m.group(0) if (sid and sid.group(1) in used) or b'w:default="1"' in m.group(0)[:400] else b""

    styles = _STYLE.sub(keep, styles)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename == "word/stylesWithEffects.xml" or info.filename.startswith("docProps/thumbnail"):
                continue
            dst.writestr(info.filename, styles if info.filename == "word/styles.xml" else src.read(info))
    return out.getvalue()


def docx_to_markdown(data: bytes) -> tuple[str, list[str]]:
    """Markdown of a Word file (mammoth), images left out, no raw HTML; and mammoth's warnings.

    The Markdown is rendered through the project's sanitiser (documents.selectors.render_markdown,
    nh3) wherever it is shown; here, in addition, text that looks like HTML is escaped."""
    import mammoth
    import nh3

    def _no_image(image):
        return {"alt": image.alt_text or "image left out at import"}

    result = mammoth.convert_to_markdown(io.BytesIO(slim_styles(data)), convert_image=mammoth.images.img_element(_no_image))
    # mammoth writes Word's text as it is and adds only bookmark anchors as HTML: drop those,
    # then every "<" left is the author's text — escaped, so it shows as typed and is never markup.
    text = re.sub(r'<a id="[^"<>]*"></a>', "", result.value)
    text = text.replace("<", "&lt;")
    text = nh3.clean(text, tags=set()) if "<" in text else text  # belt and braces: no tag survives
    return text.strip() + "\n", [m.message for m in result.messages][:5]
