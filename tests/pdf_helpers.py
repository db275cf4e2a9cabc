"""Documents, revisions and signatures made with the ORM for the PDF, manual and
digest tests (the documents app's services are built in parallel)."""

from __future__ import annotations

import itertools
from datetime import date

from documents.models import Document, DocumentType, Revision
from qms.models import Department
from qms.signatures import sign
from tests.factories import PASSWORD, ensure_reference_data

_seq = itertools.count(1)


def doc_type(code="SOP", name="Standard operating procedure", manual_order=30) -> DocumentType:
    obj, _ = DocumentType.objects.get_or_create(code=code, defaults={"name": name, "manual_order": manual_order})
    return obj


def document(*, owner, number=None, title="Control of calibrated equipment", type_code="SOP", manual_order=30) -> Document:
    dept, _ = Department.objects.get_or_create(code="QA", defaults={"name": "Quality Assurance"})
    return Document.objects.create(
        number=number or f"{type_code}-QA-{next(_seq):03d}",
        title=title,
        doc_type=doc_type(type_code, f"{type_code} documents", manual_order),
        owner=owner,
        department=dept,
    )


def revision(doc: Document, *, seq=1, label=None, status=Revision.Status.EFFECTIVE, content=None,
             effective_date: date | None = date(2026, 1, 15), created_by=None, **extra) -> Revision:
    return Revision.objects.create(
        **extra,
        document=doc,
        seq=seq,
        label=label if label is not None else f"{seq - 1:02d}",
        status=status,
        content=content if content is not None else f"# Purpose\n\nHow we control {doc.title.lower()}.\n\n## Steps\n\n1. Check.\n2. Record.\n",
        change_summary="First issue" if seq == 1 else "Updated steps",
        change_reason="" if seq == 1 else "Audit finding",
        created_by=created_by or doc.owner,
        effective_date=effective_date,
    )


def signed(rev: Revision, *, signer, meaning="approved", comment="") -> Revision:
    sign(signer=signer, password=PASSWORD, obj=rev, meaning=meaning, comment=comment)
    return rev


def long_markdown(paragraphs=400) -> str:
    text = ["# Long procedure\n"]
    for i in range(paragraphs):
        if i % 20 == 0:
            text.append(f"\n## Section {i // 20 + 1}\n")
        text.append(
            f"Step {i + 1}. The operator verifies the gauge against the reference standard, "
            "records the reading in the calibration log, and escalates any reading outside tolerance "
            "to the quality manager before the equipment is used again.\n"
        )
    return "\n".join(text)


def ensure_roles() -> None:
    """Transactional tests flush the seeded role groups; see tests.factories.ensure_reference_data."""
    ensure_reference_data()


def blank_pdf(pages=1, *, note: str = "") -> bytes:
    """A small, real PDF (uploads are parsed at upload; `note` makes the bytes differ)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if note:
        writer.add_metadata({"/Subject": note})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript(*, open_action=True, document_js=True) -> bytes:
    """A PDF that runs `app.alert` when opened (/OpenAction JavaScript) and
    carries document-level JavaScript: what a hostile upload looks like."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if document_js:
        action = writer._add_object(DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('document-level');")}
        ))
        names = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("init"), action])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(names)})
    if open_action:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('pwned');")}
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ------------------------------------------------------------------ fonts (issue 12)
CHINESE = "这是一个质量手册，包含质量方针和目标"
_EMPTY_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


def poppler_or_skip():
    import shutil

    import pytest

    if not (shutil.which("pdffonts") and shutil.which("pdftotext")):
        pytest.skip("needs pdffonts and pdftotext (poppler-utils; .ci/run installs them)")


def without_system_fonts(render, folder) -> bytes:
    """`render()` (returning PDF bytes) run where no font of the machine
    exists, only the @font-face fonts the layouts load: in a forked child whose
    fontconfig reads a configuration without font folders (FONTCONFIG_FILE)
    and which makes a fresh FontConfiguration (qms.pdf keeps one per process).

    A child, because with no font at all Pango crashes the process: a layout
    that loads no font fails this test instead of killing the test run. The
    child inherits the test's database connection and transaction, so it
    renders through the real services and sees the test's rows; the parent
    waits and does not touch the connection meanwhile."""
    import gc
    import os
    import traceback

    conf = folder / "fonts.conf"
    conf.write_text(_EMPTY_FONTS_CONF.format(cache=folder / "fc-cache"))
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        from qms import pdf

        # The parent's font configuration, copied by fork: kept referenced until
        # os._exit, since finalising it here would delete the parent's folder of
        # decoded fonts (a folder on disk, shared) under the parent's feet.
        parents = pdf._FONTS
        try:
            os.close(read_fd)
            os.environ["FONTCONFIG_FILE"] = str(conf)
            pdf._FONTS = None
            payload = b"OK" + render()
        except BaseException:
            payload, code = b"ER" + traceback.format_exc().encode(), 1
        with os.fdopen(write_fd, "wb") as fh:
            fh.write(payload)
        if pdf._FONTS is not parents:
            pdf._FONTS = None  # the child's own folder of decoded fonts (21 MB) goes: os._exit runs no finalisers
            gc.collect()
        os._exit(code)  # `parents` is still referenced here, so it is never finalised in the child
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        raise AssertionError(f"The render without system fonts crashed (signal {os.WTERMSIG(status)}): "
                             "a layout loaded no @font-face font, so there was no font at all")
    if data[:2] != b"OK":
        raise AssertionError("The render without system fonts failed:\n" + data[2:].decode())
    return data[2:]


def _poppler(tool: str, content: bytes, *args: str) -> str:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(content)
        fh.flush()
        return subprocess.run([tool, *args, fh.name, *(["-"] if tool == "pdftotext" else [])],
                              check=True, capture_output=True, text=True, timeout=60).stdout


def pdf_fonts(content: bytes) -> list[tuple[str, bool]]:
    """(font name without the subset tag, embedded?) for every font `pdffonts` lists."""
    rows = _poppler("pdffonts", content).splitlines()[2:]
    out = []
    for row in rows:
        parts = row.split()
        name = parts[0].split("+", 1)[-1]
        # name, type (1-2 words), encoding, emb, sub, uni, object id, generation
        out.append((name, parts[-5] == "yes"))
    return out


def pdf_text(content: bytes) -> str:
    return _poppler("pdftotext", content, "-enc", "UTF-8")
