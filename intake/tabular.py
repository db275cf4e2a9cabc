"""Reading a register (CSV or XLSX) into rows of text, with every problem a person can fix.

- Size is checked before anything is parsed (INTAKE_MAX_TABLE_MB, default 20):
  a 100 MB spreadsheet is refused by its size, not by running out of memory.
- Rows are read as they are asked for (`Table.iter_rows()`), never all held
  at once: 100,000 rows held as dicts were a fifth of a records import's
  memory (issue 19). The file is checked first (its header; a CSV is parsed
  through), so every file-level problem is known before any row is planned.
- CSV: UTF-8 (with or without a byte-order mark) or Windows-1252, line by line:
  a file whose lines mix the two (one pasted from an old export) is read, and
  each line decoded as Windows-1252 is named in the report.
- XLSX: opened read-only by openpyxl after its zip directory is checked (no
  entry may unpack to more than the limit: an XLSX is a ZIP and may be a bomb);
  formulas are read as formulas (not their cached values), so they are found.
- A cell that a spreadsheet would run as a formula (=, +, @, or - not followed
  by a number; tab or CR first) is a problem of its row: CSV injection.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.utils.translation import gettext_noop

from qms.stored_text import text as said

FORMULA = re.compile(r"^[=+@\t\r]|^-(?![\d.,]+$)")


def max_table_bytes() -> int:
    return int(getattr(settings, "INTAKE_MAX_TABLE_MB", 20)) * 1024 * 1024


@dataclass
class Table:
    headers: list[str] = field(default_factory=list)
    # Texts for the report are stored texts (qms.stored_text): English, and the reader's language when shown.
    notices: list[str] = field(default_factory=list)  # file-level remarks (encoding)
    errors: list[str] = field(default_factory=list)  # file-level problems: nothing can be imported
    row_notices: dict[int, list[str]] = field(default_factory=dict)
    # The file's rows from its first line, each a list of cell texts, read again on each call.
    raw_rows: Callable[[], Iterator[list[str]]] | None = field(default=None, repr=False)

    def row_number(self, index: int) -> int:
        return index + 2  # the header is line 1

    def iter_rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, header -> text) for each row under the header, one at a time; a blank row is {}
        (kept, so the numbers stay those of the file; the importers skip it)."""
        if self.raw_rows is None:
            return
        rows = self.raw_rows()
        for raw in rows:  # up to the header: the first row that is not blank
            if any(c.strip() for c in raw):
                break
        for index, raw in enumerate(rows):
            if not any((c or "").strip() for c in raw):
                yield self.row_number(index), {}
                continue
            yield self.row_number(index), {h: (raw[i].strip() if i < len(raw) and raw[i] else "")
                                           for i, h in enumerate(self.headers) if h}

    @property
    def rows(self) -> list[dict[str, str]]:
        """All the rows at once (row numbers start at 2): for the registers of documents and people, which
        are small; a records import reads them one by one (iter_rows)."""
        return [row for _, row in self.iter_rows()]


def looks_like_formula(value: str) -> bool:
    return bool(value) and bool(FORMULA.match(value))


def _decode_lines(data: bytes, table: Table) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        table.notices.append(said(gettext_noop("Encoding: UTF-8 with a byte-order mark.")))
    out, cp1252_lines = [], []
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(raw.decode("cp1252", errors="replace"))
            cp1252_lines.append(number)
    if cp1252_lines:
        shown = ", ".join(str(n) for n in cp1252_lines[:10]) + (" …" if len(cp1252_lines) > 10 else "")
        if len(cp1252_lines) == len(out):
            table.notices.append(said(gettext_noop("Encoding: Windows-1252 (not UTF-8); read as Windows-1252.")))
        else:
            table.notices.append(said(gettext_noop("Mixed encodings: line(s) %(lines)s are not UTF-8 and were read "
                                                   "as Windows-1252; check their accented letters."), lines=shown))
        for n in cp1252_lines:
            table.row_notices.setdefault(n, []).append(said(gettext_noop("This line was read as Windows-1252.")))
    return "".join(out)


def _clean_header(h) -> str:
    return " ".join(str(h or "").split())


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data: bytes, table: Table) -> None:
    text = _decode_lines(data, table)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel

    def raw_rows() -> Iterator[list[str]]:
        return csv.reader(io.StringIO(text), dialect)

    try:  # the whole file is parsed once here (a row at a time) so a broken one is refused before any row
        header = _header(raw_rows())
    except csv.Error as exc:
        table.errors.append(said(gettext_noop("The CSV file cannot be read: %(error)s."), error=str(exc)))
        return
    _set_header(table, header, raw_rows)


def _check_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = 0
            for info in zf.infolist():
                total += info.file_size
                if info.file_size > max_table_bytes() * 5 or total > max_table_bytes() * 10:
                    return said(gettext_noop("The spreadsheet unpacks to more than %(limit)s MB (a ZIP bomb?)."),
                                limit=max_table_bytes() * 10 // 1048576)
                if info.compress_size and info.file_size / info.compress_size > 200 and info.file_size > 10_000_000:
                    return said(gettext_noop("The spreadsheet is compressed %(ratio)s:1 (a ZIP bomb?)."),
                                ratio=info.file_size // max(info.compress_size, 1))
    except zipfile.BadZipFile:
        return said(gettext_noop("The spreadsheet is not a valid XLSX file (not a ZIP)."))
    return None


def _read_xlsx(data: bytes, table: Table) -> None:
    problem = _check_zip(data)
    if problem:
        table.errors.append(problem)
        return
    from openpyxl import load_workbook

    def raw_rows() -> Iterator[list[str]]:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)  # read-only: a row at a time
        try:
            for row in wb.worksheets[0].iter_rows(values_only=True):
                yield [_cell_text(v) for v in row]
        finally:
            wb.close()

    rows = raw_rows()
    try:
        header = next((raw for raw in rows if any(c.strip() for c in raw)), None)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged file
        table.errors.append(said(gettext_noop("The spreadsheet cannot be read: %(error)s."), error=type(exc).__name__))
        return
    finally:
        rows.close()
    _set_header(table, header, raw_rows)


def _header(rows: Iterator[list[str]]) -> list[str] | None:
    """The first row that is not blank; the rest of `rows` is read through (so a CSV that cannot be
    parsed raises here, before any row is planned), holding one row at a time."""
    header = None
    for raw in rows:
        if header is None and any(c.strip() for c in raw):
            header = raw
    return header


def _set_header(table: Table, header: list[str] | None, raw_rows) -> None:
    if header is None:
        table.errors.append(said(gettext_noop("The file has no header row.")))
        return
    table.headers = [_clean_header(h) for h in header]
    seen = set()
    for h in table.headers:
        if h and h.casefold() in seen:
            table.errors.append(said(gettext_noop("The column “%(column)s” appears twice."), column=h))
        seen.add(h.casefold())
    table.raw_rows = raw_rows


def read_table(name: str, data: bytes) -> Table:
    table = Table()
    if len(data) > max_table_bytes():
        table.errors.append(said(gettext_noop("“%(name)s” is %(size)s MB; a register may be at most %(limit)s MB. "
                                              "Split it into several files."),
                                 name=name, size=f"{len(data) / 1048576:.0f}", limit=max_table_bytes() // 1048576))
        return table
    lower = name.lower()
    if lower.endswith(".xlsx"):
        _read_xlsx(data, table)
    elif lower.endswith((".csv", ".txt")):
        if b"\x00" in data[:4096]:
            table.errors.append(said(gettext_noop("“%(name)s” is not a text file (a CSV saved as UTF-16?). "
                                                  "Save it as CSV UTF-8."), name=name))
            return table
        _read_csv(data, table)
    else:
        table.errors.append(said(gettext_noop("“%(name)s”: a register must be a .csv or .xlsx file."), name=name))
    return table


def normalise(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", (label or "").casefold())


def column(headers: list[str], *names: str) -> str | None:
    """The header that matches one of `names` (case, spaces and punctuation ignored)."""
    wanted = [normalise(n) for n in names]
    for w in wanted:
        for h in headers:
            if normalise(h) == w:
                return h
    return None


DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def parse_date(text: str) -> date | None:
    """A date in ISO or day-first form; None if it is none of them (ambiguous US forms are refused)."""
    text = (text or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
