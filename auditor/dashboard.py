"""Open evidence requests on the dashboard: for whoever must answer, and for the auditor who asked."""

from django.db.models import Q

from auditor.models import EvidenceRequest
from qms import dashboard


@dashboard.provider(order=40)
def sections(user) -> list[dashboard.Section]:
    qs = (
        EvidenceRequest.objects.filter(status__in=[EvidenceRequest.Status.OPEN, EvidenceRequest.Status.ANSWERED])
        .filter(Q(assigned_to=user) | Q(requested_by=user))
        .only("subject", "status", "created_at", "assigned_to_id", "requested_by_id")[:10]
    )
    to_answer, asked = [], []
    for r in qs:
        item = dashboard.Item(r.subject, r.get_absolute_url(), r.get_status_display())
        if r.assigned_to_id == user.pk and r.status == EvidenceRequest.Status.OPEN:
            to_answer.append(item)
        if r.requested_by_id == user.pk:
            asked.append(item)
    out = []
    if to_answer:
        out.append(dashboard.Section("auditor.to_answer", "Evidence requests to answer", to_answer))
    if asked:
        out.append(dashboard.Section("auditor.asked", "My evidence requests", asked, digest=False))
    return out
