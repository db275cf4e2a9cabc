from __future__ import annotations

from intake import records_import
from intake.models import ImportRun

REPORT_ROWS_SHOWN = 500


def runs():
    return ImportRun.objects.select_related("created_by", "job").only(
        "kind", "status", "created_at", "finished_at", "register_name", "files_name", "record_type_code",
        "error_count", "created_count", "skipped_count", "created_by__username", "created_by__full_name",
        "created_by__first_name", "created_by__last_name", "job__status", "job__progress",
    )


def report_rows(run: ImportRun) -> tuple[list[dict], int]:
    """The rows shown on the page: those with problems first, then the others, at most REPORT_ROWS_SHOWN.
    A row may lack a key (a records report is compact: records_import.RecordRow.as_report)."""
    rows = (run.report or {}).get("rows", [])
    ordered = [r for r in rows if r.get("problems")] + [r for r in rows if not r.get("problems")]
    shown = ordered[:REPORT_ROWS_SHOWN]
    if run.kind == ImportRun.Kind.RECORDS:
        shown = [records_import.report_row(r) for r in shown]
    return shown, len(rows)


CSV_HEADERS = ["row", "number", "label", "title", "file", "username", "action", "problems", "warnings"]


def report_csv_rows(run: ImportRun):
    for r in (run.report or {}).get("rows", []):
        yield [r.get("row", ""), r.get("number", ""), r.get("label", ""), r.get("title", ""), r.get("file", ""),
               r.get("username", ""), r.get("action", ""), " | ".join(r.get("problems", [])),
               " | ".join(r.get("warnings", []))]
