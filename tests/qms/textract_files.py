"""Real files for the text-extraction tests and the OCR bench: PDFs with a
text layer (WeasyPrint), scans rendered from text with Pillow, DOCX written
with python-docx, and broken ones. Also the Tesseract fixture: skipped with a
reason where it is missing, a failure under QMS_REQUIRE_SERVICES=1 (CI)."""

from __future__ import annotations

import io
import os
import shutil
import zipfile

import pytest

REQUIRED = os.environ.get("QMS_REQUIRE_SERVICES") == "1" or os.environ.get("QMS_REQUIRE_OCR") == "1"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.fixture
def tesseract():
    """Tesseract with English: the OCR tests need it (CI installs it, .ci/run)."""
    from qms import textract

    textract._installed_languages.cache_clear()
    reason = textract.ocr_unavailable()
    if reason:
        if REQUIRED:
            pytest.fail(f"Tesseract is required here (QMS_REQUIRE_SERVICES=1): {reason}")
        pytest.skip(f"needs Tesseract: {reason}")
    return shutil.which("tesseract")


def text_pdf(*paragraphs: str) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return HTML(string=f"<html><body><h1>Procedure</h1>{body}</body></html>").write_pdf()


def _font(size: int):
    from PIL import ImageFont

    if os.path.exists(FONT):
        return ImageFont.truetype(FONT, size)
    return ImageFont.load_default(size=size)


def scan_image(lines: list[str], *, dpi: int = 200, width_in: float = 8.27, height_in: float = 5.0):
    """A white page with black text, as a scanner would give it (no text layer)."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (int(width_in * dpi), int(height_in * dpi)), 255)
    draw = ImageDraw.Draw(image)
    font = _font(int(dpi * 0.16))
    y = int(dpi * 0.5)
    for line in lines:
        draw.text((int(dpi * 0.6), y), line, fill=0, font=font)
        y += int(dpi * 0.3)
    return image


def scan_png(lines: list[str], *, dpi: int = 200) -> bytes:
    out = io.BytesIO()
    scan_image(lines, dpi=dpi).save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def scan_pdf(pages: list[list[str]], *, dpi: int = 200) -> bytes:
    """A PDF of page images only: what a scanner makes."""
    images = [scan_image(lines, dpi=dpi).convert("RGB") for lines in pages]
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def docx_file(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def encrypted_pdf(text: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(text))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corrupt_pdf() -> bytes:
    good = text_pdf("This file is cut short.")
    return good[: len(good) // 3]


def docx_bomb(unpacked_bytes: int) -> bytes:
    """A DOCX-shaped ZIP whose one part unpacks to `unpacked_bytes` of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * unpacked_bytes)
    return out.getvalue()


def huge_png(side: int) -> bytes:
    """A `side`×`side` bilevel PNG: a few kB on disk, side² pixels once decoded."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (side, side), 1).save(out, "PNG")
    return out.getvalue()
