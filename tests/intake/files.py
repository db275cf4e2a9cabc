"""Real input files for the import tests, made here: Word files written with
python-docx, PDFs with pypdf, registers as CSV and XLSX (openpyxl), ZIPs."""

from __future__ import annotations

import csv
import io
import zipfile

from tests.pdf_helpers import blank_pdf

HEADERS = ["Number", "Title", "Type", "Department", "Owner", "Revision", "Effective date", "Approved by",
           "Approval date", "Clauses", "Distribution", "File"]


def docx_bytes(*paragraphs: str, heading: str = "Purpose") -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(heading, level=1)
    for p in paragraphs:
        doc.add_paragraph(p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def docx_bomb() -> bytes:
    """A ZIP that claims to be a Word file and unpacks to 200 MB of zeros (a few hundred kB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(200):
                fh.write(chunk)
    return out.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def csv_bytes(rows: list[list[str]], headers=HEADERS, *, encoding="utf-8", bom=False) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(headers)
    w.writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


def xlsx_bytes(rows: list[list], headers=HEADERS) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(number="SOP-QA-007", title="Control of documents", type_="SOP", dept="QA", owner="qm", rev="00",
        effective="2021-03-01", approver="Jane Former", approved="2021-02-20", clauses="7.5", dist="Staff",
        file="sop7-00.docx"):
    return [number, title, type_, dept, owner, rev, effective, approver, approved, clauses, dist, file]


def standard_set():
    """SOP-QA-007 in three revisions (two Word files and a PDF) and WI-QA-002 in one."""
    files = {
        "sop7-00.docx": docx_bytes("The first issue.", "Scope: all documents."),
        "sop7-01.docx": docx_bytes("The second issue.", "Scope: all documents and records."),
        "pdfs/sop7-02.pdf": blank_pdf(note="rev 02"),
        "wi2.docx": docx_bytes("Clean the gauge before use."),
    }
    rows = [
        row(rev="01", effective="2022-05-01", approved="2022-04-28", file="sop7-01.docx"),
        row(),  # rev 00, listed after 01 on purpose: history is ordered by label
        row(rev="02", effective="2024-01-15", approved="2024-01-10", file="pdfs/sop7-02.pdf"),
        row(number="WI-QA-002", title="Gauge cleaning", type_="WI", rev="1.0", effective="2023-06-01",
            approved="2023-05-30", clauses="7.1.5", dist="", file="wi2.docx"),
    ]
    return rows, files
