"""Background jobs of the training app: the training matrix as a PDF."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from qms.exports import table_pdf
from qms.jobs import JobOutput, job_handler
from training import selectors


@job_handler("training_matrix_pdf", label=gettext_noop("Training matrix (PDF)"), lane="bulk")
def matrix_pdf(job) -> JobOutput:
    """Every cell of the matrix as the requester sees it, with their filters."""
    user = job.requested_by
    params = job.params or {}

    def _int(key):
        value = str(params.get(key) or "")
        return int(value) if value.isdigit() else None

    filters = selectors.Filters(department_id=_int("department"), role_id=_int("role"), search=str(params.get("q") or ""))
    rows = selectors.matrix_export_rows(user, filters)
    shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items()) if v) or "none"
    pdf = table_pdf(selectors.MATRIX_EXPORT_COLUMNS, rows, title="Training matrix",
                    subtitle=f"Filters: {shown}; exported by {user.display_name}")
    return JobOutput(filename=f"training-matrix-{timezone.now():%Y%m%d-%H%M}.pdf", content=pdf,
                     content_type="application/pdf")
