"""OCR throughput (`make bench ONLY=ocr`; also a part of the intake group).

- ocr.pages_per_s: a 4-page A4 scan (300 dpi page images, no text layer, made
  here with Pillow) read by qms.textract as a worker would: each page
  rendered by PDFium, OCR'd by Tesseract (OCR_LANGUAGES), its text laid over
  the original page, the searchable PDF written.
- ocr.words_found_pct: how many of the words printed on the scan came back.

Without Tesseract the figures are skipped with the reason.
"""

from __future__ import annotations

import io
import os
import time

PAGES = 4
DPI = 300
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINE = "The calibration of micrometer {n} was verified against gauge block set {m} on site."


def _scan() -> tuple[bytes, list[str]]:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 42) if os.path.exists(FONT) else ImageFont.load_default(size=42)
    pages, words = [], []
    for p in range(PAGES):
        image = Image.new("L", (int(8.27 * DPI), int(11.69 * DPI)), 255)
        draw = ImageDraw.Draw(image)
        for i in range(40):
            text = LINE.format(n=f"M{p}{i:02d}", m=f"G{i}")
            words += text.replace(".", "").split()
            draw.text((150, 150 + i * 80), text, fill=0, font=font)
        pages.append(image.convert("RGB"))
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return out.getvalue(), words


def run(emit) -> None:
    from qms import textract

    reason = textract.ocr_unavailable()
    if reason:
        print(f"ocr: skipped: {reason}")
        return
    data, words = _scan()
    start = time.perf_counter()
    result = textract.read("scan.pdf", data)
    elapsed = time.perf_counter() - start
    assert result.ocr_pages == PAGES and result.searchable_pdf, result
    found = set(result.text.replace(".", " ").split())
    emit("ocr.pages_per_s", f"{PAGES / elapsed:.2f}",
         f"pages/s ({PAGES} A4 pages at {DPI} dpi, {textract.languages()}, {elapsed:.1f} s)")
    emit("ocr.words_found_pct", 100.0 * sum(w in found for w in words) / len(words), "%")
