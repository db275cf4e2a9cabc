"""Background jobs of the auditor's view."""

from django.utils import timezone
from django.utils.translation import gettext_noop

from auditor import readiness
from qms.jobs import JobOutput, job_handler
from qms.pdf import render_pdf


@job_handler("readiness_pdf", label=gettext_noop("ISO 9001 readiness summary (PDF)"))
def readiness_pdf(job) -> JobOutput:
    rows = readiness.readiness()
    pdf = render_pdf(
        "pdf/readiness.html",
        {
            "rows": rows,
            "summary": readiness.summary(rows),
            "generated": timezone.now(),
            "by": job.requested_by.display_name if job.requested_by else "system",
        },
    )
    return JobOutput(filename=f"readiness-{timezone.now():%Y%m%d}.pdf", content=pdf, content_type="application/pdf")


from auditor import pack_builder  # noqa: E402,F401 - registers the "evidence_pack" job kind
