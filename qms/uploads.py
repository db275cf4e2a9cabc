"""Checked uploads, shared by documents, records and audits.

A file is accepted only if its extension is on the allow-list, its first bytes
match that type, and it is within the size limit. It is stored through the
storage API under a random name; the original name is kept (made safe) for
display and download, with its size and SHA-256.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy

# extension -> (content type, accepted leading bytes; empty = text, checked for NUL bytes)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    "csv": ("text/csv", ()),
    "txt": ("text/plain", ()),
}
PDF_ONLY = ("pdf",)
SOURCE_FILES = ("docx", "xlsx", "pptx", "odt", "ods", "txt")


@dataclass(frozen=True)
class StoredFile:
    name: str  # storage name (random)
    original_name: str
    size: int
    sha256: str
    content_type: str


def safe_filename(name: str, max_length: int = 120) -> str:
    """The base name only, normalised, without control or path characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    name = name.strip().lstrip(".") or "file"
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:10] if dot else ""
        name = (stem if dot else name)[: max_length - len(ext) - 1] + ("." + ext if ext else "")
    return name


def extension_of(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def validate_upload(upload, *, allowed: tuple[str, ...] | None = None, max_bytes: int | None = None) -> str:
    """Raise ValidationError with a message a user can act on; return the content type."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    allowed = allowed or tuple(ALLOWED_TYPES)
    ext = extension_of(upload.name)
    # Lazy messages with their params: a form shows them in the reader's language, and
    # an import keeps them as msgid and params for its report (qms.stored_text).
    name = safe_filename(upload.name)
    if ext not in allowed:
        raise ValidationError(
            gettext_lazy("“%(name)s”: files of type .%(ext)s are not accepted. Allowed: %(allowed)s."),
            code="file_type", params={"name": name, "ext": ext or "?", "allowed": ", ".join("." + a for a in allowed)})
    if upload.size == 0:
        raise ValidationError(gettext_lazy("“%(name)s” is empty."), code="empty", params={"name": name})
    if upload.size > max_bytes:
        raise ValidationError(
            gettext_lazy("“%(name)s” is %(size)s MB; the limit is %(limit)s MB."), code="file_size",
            params={"name": name, "size": f"{upload.size / 1048576:.1f}", "limit": f"{max_bytes / 1048576:.0f}"})
    content_type, magics = ALLOWED_TYPES[ext]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if magics and not any(head.startswith(m) for m in magics):
        raise ValidationError(gettext_lazy("“%(name)s” does not look like a .%(ext)s file."), code="file_content",
                              params={"name": name, "ext": ext})
    if not magics and b"\x00" in head:
        raise ValidationError(gettext_lazy("“%(name)s” is not a text file."), code="file_content", params={"name": name})
    if ext == "pdf":
        # Parsed for real (every page), and refused if anything in it would run
        # in a viewer: a file that only starts with %PDF- is not a document.
        from qms.pdf import check_uploaded_pdf

        upload.seek(0)
        reason = check_uploaded_pdf(upload.read())
        upload.seek(0)
        if reason:
            raise ValidationError(gettext_lazy("“%(name)s” cannot be accepted: %(reason)s."), code="file_content",
                                  params={"name": name, "reason": reason})
    return content_type


def store_upload(upload, *, folder: str, allowed: tuple[str, ...] | None = None) -> StoredFile:
    """Validate, hash and store `upload` under a random name below `folder`."""
    content_type = validate_upload(upload, allowed=allowed)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    ext = extension_of(upload.name)
    name = default_storage.save(f"{folder.strip('/')}/{uuid.uuid4().hex}.{ext}", File(upload))
    return StoredFile(
        name=name,
        original_name=safe_filename(upload.name),
        size=upload.size,
        sha256=digest.hexdigest(),
        content_type=content_type,
    )


def sha256_of_stored(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_response(name: str, *, download_name: str, content_type: str, inline: bool = False):
    """Serve a stored file (after the caller's permission check)."""
    from django.http import FileResponse

    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=not inline,
        filename=download_name,
        content_type=content_type or "application/octet-stream",
    )
    # An uploaded file is never a page of ours: no script, no same-origin
    # access, no plugins, even when opened directly; and no type sniffing.
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
