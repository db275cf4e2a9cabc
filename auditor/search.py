"""Evidence requests in the one search box (qms.search): the quality manager
sees all, anyone else those they asked or must answer (as on the list page)."""

from __future__ import annotations

from django.db.models import Q

from auditor.models import EvidenceRequest
from qms import permissions, search


@search.provider("requests", "Evidence requests", order=40)
def find(user, q, since, until, limit) -> search.Found:
    qs = EvidenceRequest.objects.all()
    if not permissions.is_quality_manager(user):
        qs = qs.filter(Q(requested_by=user) | Q(assigned_to=user))
    qs = qs.filter(Q(subject__icontains=q) | Q(details__icontains=q) | Q(answer__icontains=q))
    qs = search.in_range(qs, "created_at", since, until)
    total, capped = search.counted(qs)
    rows = qs.only("subject", "details", "status", "created_at").order_by("-created_at", "-id")[:limit]
    return search.Found(total, [
        search.Hit(title=r.subject, url=r.get_absolute_url(), snippet=search.highlight(r.details, q),
                   when=r.created_at.date(), meta=r.get_status_display())
        for r in rows
    ], capped)
