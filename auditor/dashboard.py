"""Open evidence requests on the dashboard: for whoever must answer, and for the auditor who asked."""

from django.db.models import Q
from django.utils.translation import gettext

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
        out.append(dashboard.Section("auditor.to_answer", gettext("Evidence requests to answer"), to_answer))
    if asked:
        out.append(dashboard.Section("auditor.asked", gettext("My evidence requests"), asked, digest=False))
    return out


@dashboard.landing(order=10)
def external_auditor_home(request):
    """An external auditor's home (issue 18.9): their access window and days
    left, their scope, their evidence requests, and the ways in — not the staff
    task cards."""
    from django.shortcuts import render
    from django.utils import timezone

    from auditor.models import AuditorAccess
    from qms import permissions

    user = request.user
    if not permissions.is_external_auditor(user):
        return None
    access = (AuditorAccess.objects.filter(user=user).select_related("invited_by")
              .prefetch_related("clauses", "processes").first())
    now = timezone.now()
    requests = list(EvidenceRequest.objects.filter(requested_by=user).exclude(status=EvidenceRequest.Status.CLOSED)
                    .select_related("assigned_to").order_by("-created_at")[:20])
    closed = EvidenceRequest.objects.filter(requested_by=user, status=EvidenceRequest.Status.CLOSED).count()
    left = None
    if access is not None and access.valid_until > now:
        left = (access.valid_until - now).days
    return render(request, "auditor/home.html", {
        "access": access, "days_left": left, "active": access is not None and access.revoked_at is None
        and access.valid_from <= now < access.valid_until,
        "open_requests": requests, "closed_requests": closed,
    })


@dashboard.chart("auditor.readiness", rule="auditor.view_readiness", order=5, link="/clauses/")
def readiness_chart(user):
    from auditor import readiness

    return readiness.coverage_chart(readiness.readiness())
