"""Documents background tasks (issue 4). Thin: ids in, the work lives in
documents.renditions and documents.manual (job handlers run by qms.tasks.run_job)."""

import logging

from celery import shared_task

from documents import manual, renditions  # noqa: F401 - registers the job kinds in the worker too
from documents.models import Revision

log = logging.getLogger(__name__)


@shared_task
def warm_renditions(limit: int = 200) -> int:
    """Render missing controlled PDFs of effective revisions (e.g. migrated or
    approved while no worker ran), so prints and the manual build reuse them."""
    missing = (
        Revision.objects.filter(status=Revision.Status.EFFECTIVE, renditions__isnull=True)
        .select_related("document__doc_type", "document__owner", "document__department")
        .order_by("pk")[:limit]
    )
    count = 0
    for revision in missing:
        try:
            renditions.ensure_rendition(revision)
            count += 1
        except Exception:  # noqa: BLE001 - one bad revision must not stop the rest; a print retries it as a job
            log.exception("could not render %s", revision)
    return count


@shared_task
def apply_effective_dates() -> int:
    """Approved revisions whose future effective date has come take over (the
    previous revision stays in force until then, ISO 9001 7.5.3.2)."""
    from documents.services import apply_due_effective_dates

    return apply_due_effective_dates()
