"""Background jobs of the register: the document register as a PDF.
(The controlled-PDF and quality-manual job kinds live with their builders,
documents/renditions.py and documents/manual.py.)"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from documents import selectors
from documents.forms import RegisterFilterForm
from qms.exports import table_pdf
from qms.jobs import JobOutput, job_handler
from qms.rules import allowed


@job_handler("register_pdf", label=gettext_noop("Document register (PDF)"), lane="bulk")
def register_pdf(job) -> JobOutput:
    """The register as the requester sees it, with their filters, as a PDF."""
    user = job.requested_by
    form = RegisterFilterForm(job.params or None)
    qs = selectors.register(user, form.cleaned_data if form.is_valid() else {})
    filters = ", ".join(f"{k}={v}" for k, v in sorted(job.params.items()) if v) or "none"
    pdf = table_pdf(selectors.REGISTER_HEADERS, selectors.register_export_rows(qs, allowed("documents.view_drafts", user)),
                    title="Document register", subtitle=f"Filters: {filters}; exported by {user.display_name}")
    return JobOutput(filename=f"document-register-{timezone.now():%Y%m%d-%H%M}.pdf", content=pdf,
                     content_type="application/pdf")
