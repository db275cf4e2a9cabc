"""CSV and XLSX exports with human labels, and the audit-trail export job."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from qms import dates
from qms.audit import verb_label
from qms.jobs import JobOutput, job_handler
from qms.models import AuditEvent, Job

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if isinstance(value, Promise):  # a label marked for translation: the text, not the lazy object
        return str(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S %Z") if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def _csv_safe(value):
    """Neutralise spreadsheet formulas (CSV injection) in user-entered text."""
    text = str(_cell(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _xlsx_cell(ws, value):
    """A write-only cell whose user text is always a string, never a formula.

    openpyxl stores any string starting with "=" as a live formula (=HYPERLINK,
    =WEBSERVICE…): forcing the string type keeps the text exactly as entered and
    inert. Control characters XLSX cannot hold become U+FFFD instead of
    failing the whole export."""
    value = _cell(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return WriteOnlyCell(ws, value=value)


def table_bytes(headers: Sequence[str], rows: Iterable[Sequence], fmt: str) -> tuple[bytes, str]:
    """Render a table as CSV or XLSX; returns (bytes, content type)."""
    if fmt == "xlsx":
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Export")
        ws.append([_cell(h) for h in headers])
        for row in rows:
            ws.append([_xlsx_cell(ws, v) for v in row])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue(), XLSX
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_safe(v) for v in row])
    return buf.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"


def table_pdf(headers: Sequence[str], rows: Iterable[Sequence], *, title: str, subtitle: str = "") -> bytes:
    """A printable table (landscape A4, repeated header row, page X of Y)."""
    from qms.pdf import render_pdf

    return render_pdf(
        "pdf/table.html",
        {"headers": headers, "rows": [[_cell(v) for v in row] for row in rows], "title": title,
         "subtitle": subtitle, "generated": timezone.now()},
    )


def table_response(headers: Sequence[str], rows: Iterable[Sequence], *, fmt: str, basename: str) -> HttpResponse:
    """An attachment response; `fmt` is "csv" or "xlsx" (anything else → csv)."""
    fmt = "xlsx" if fmt == "xlsx" else "csv"
    content, content_type = table_bytes(headers, rows, fmt)
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.{fmt}"'
    return response


TRAIL_HEADERS = ["Time (UTC)", "Who", "Action", "Object", "From", "To", "Comment", "IP address", "Event code"]


def _state(value: str) -> str:
    return capfirst(value.replace("_", " ")) if value else ""


def trail_rows(events):
    """One row per audit event: the verb's sentence (qms.audit.verb_label), and
    the verb itself last, for filtering."""
    for ev in events:
        yield [
            ev.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            ev.actor_name,
            verb_label(ev.verb),
            ev.object_repr,
            _state(ev.from_state),
            _state(ev.to_state),
            ev.comment,
            ev.ip_address or "",
            ev.verb,
        ]


@job_handler("audit_trail_export", label=gettext_noop("Audit trail export"), lane="bulk")
def export_audit_trail(job: Job) -> JobOutput:
    """The audit events of a period as CSV or XLSX (params: since, until, fmt)."""
    events = AuditEvent.objects.order_by("created_at", "id")
    since, until = (date.fromisoformat(job.params[k]) if job.params.get(k) else None for k in ("since", "until"))
    events = events.filter(**dates.within_days("created_at", since, until))
    fmt = job.params.get("fmt") if job.params.get("fmt") in ("xlsx", "pdf") else "csv"
    rows = trail_rows(events.iterator(chunk_size=2000))
    if fmt == "pdf":
        period = f"{job.params.get('since') or 'start'} – {job.params.get('until') or 'today'}"
        requested = job.requested_by.display_name if job.requested_by else "system"
        content = table_pdf(TRAIL_HEADERS, rows, title="Audit trail", subtitle=f"Period {period}; exported by {requested}")
        content_type = "application/pdf"
    else:
        content, content_type = table_bytes(TRAIL_HEADERS, rows, fmt)
    return JobOutput(filename=f"audit-trail-{timezone.now():%Y%m%d-%H%M}.{fmt}", content=content, content_type=content_type)
