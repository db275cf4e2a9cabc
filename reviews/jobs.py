"""The management review's input pack and minutes as a controlled PDF (a background job, qms.jobs)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from qms.jobs import JobOutput, job_handler, set_progress
from qms.models import User
from qms.pdf import css_string, render_pdf
from qms.signatures import signatures_for
from reviews import pack, selectors


@job_handler("review_pack_pdf", label=gettext_noop("Management review pack PDF"))
def review_pack_pdf(job) -> JobOutput:
    review = selectors.review_detail(job.object_id)
    set_progress(job, 10)
    printed_by = User.objects.filter(pk=job.requested_by_id).first()
    printed_at = timezone.now()
    company = getattr(settings, "COMPANY_NAME", "")
    context = {
        "review": review, "sections": pack.sections(review.pack), "decisions": selectors.review_decisions(review),
        "attendees": list(review.attendees.all()), "signatures": list(signatures_for(review)),
        "printed_at": printed_at, "printed_by": printed_by.display_name if printed_by else "system",
        "css": {
            "top_left": css_string(f"{company}\n{review.number} · {review.title}"),
            "top_right": css_string(f"Management review {review.meeting_date:%Y-%m-%d}\n"
                                    f"{review.get_status_display()}"),
            "bottom_left": css_string(f"Printed {printed_at:%Y-%m-%d %H:%M} UTC by "
                                      f"{printed_by.display_name if printed_by else 'system'}"),
        },
    }
    content = render_pdf("pdf/review_pack.html", context)
    set_progress(job, 90)
    return JobOutput(filename=f"{review.number}-pack.pdf", content=content, content_type="application/pdf")
