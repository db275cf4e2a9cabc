"""The record PDF, produced as a background job (same Job rows as the
documents' PDFs): values under the record's own form version, evidence list,
signatures with their integrity, and an "Amended vN" banner when amended
(EU Annex 11 §8.2: a printout shows whether data changed after entry)."""

from django.utils import timezone
from django.utils.translation import gettext_noop

from qms.jobs import JobOutput, job_handler
from qms.models import Job, User
from qms.pdf import render_pdf
from qms.signatures import signatures_for
from records import selectors


@job_handler("record_pdf", label=gettext_noop("Record PDF"))
def record_pdf(job: Job) -> JobOutput:
    record = selectors.record_detail_by_pk(job.object_id)
    requested_by = User.objects.filter(pk=job.requested_by_id).first()
    context = {
        "record": record,
        "values": selectors.rendered_values(record),
        "evidence": list(record.evidence.select_related("uploaded_by")),
        "amendments": selectors.rendered_amendments(record),
        "signatures": list(signatures_for(record)),
        "form_revision": selectors.current_form_revision(record.record_type),
        "printed_at": timezone.now(),
        "printed_by": requested_by.display_name if requested_by else "system",
    }
    content = render_pdf("pdf/record.html", context)
    return JobOutput(filename=f"{record.number}.pdf", content=content, content_type="application/pdf")
