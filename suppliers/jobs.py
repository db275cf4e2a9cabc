"""The approved supplier list as a controlled PDF (8.4.1: the providers in use and what for)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from qms.jobs import JobOutput, job_handler
from qms.pdf import render_pdf
from suppliers import selectors


@job_handler("suppliers_asl_pdf", label=gettext_noop("Approved supplier list (PDF)"))
def approved_list_pdf(job) -> JobOutput:
    user = job.requested_by
    rows = list(selectors.approved_rows(user, None))
    pdf = render_pdf("pdf/suppliers_asl.html", {
        "title": "Approved supplier list", "headers": selectors.APPROVED_COLUMNS, "rows": rows,
        "generated": timezone.now(), "printed_by": user,
    })
    return JobOutput(filename=f"approved-suppliers-{timezone.now():%Y%m%d-%H%M}.pdf", content=pdf,
                     content_type="application/pdf")
