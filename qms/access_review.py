"""The periodic access review (issue 17; Annex 11 §12.1, ISO 27001 A.5.18 style):
every user, their roles, last login, two-factor status, open sessions and
external auditor grants, for the quality manager to review each quarter.

A page (`access_review`), a PDF job ("access_review_pdf") and a quarterly
reminder (`remind`, on the beat schedule). Apps that grant access add a
column through `grants(provider)`: the auditor app names each external
auditor's grant, without the core importing it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from qms import mfa, stored_text
from qms.identity_models import AccessReview
from qms.jobs import JobOutput, job_handler
from qms.models import Job
from qms.permissions import is_quality_manager
from qms.rules import predicate, rule

_grant_providers: list[Callable[[list[int]], dict[int, str]]] = []

HEADERS = ["User name", "Name", "Active", "Roles", "Administrator", "Last login", "2FA", "Sessions",
           "External grant", "Signature declaration"]


def grants(provider: Callable[[list[int]], dict[int, str]]) -> None:
    """Register `provider(user_ids) -> {user id: description}` of access granted outside the roles."""
    _grant_providers.append(provider)


def rows() -> list[dict]:
    """One row per user (a fixed number of queries, whatever the number of users)."""
    from django.contrib.auth.models import Group

    users = list(
        get_user_model().objects.order_by("username")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.only("name")))
        .select_related("security")
        .annotate(session_count=Count("login_sessions", distinct=True))
    )
    ids = [u.pk for u in users]
    enrolled = mfa.enrolment_overview(users)
    granted: dict[int, list[str]] = {}
    for provider in _grant_providers:
        for pk, text in provider(ids).items():
            granted.setdefault(pk, []).append(text)
    out = []
    for user in users:
        security = _security_or_none(user)
        role_names = sorted(g.name for g in user.groups.all())
        out.append({
            "user": user, "username": user.username, "name": user.display_name, "active": user.is_active,
            "roles": role_names, "admin": user.is_staff or user.is_superuser, "last_login": user.last_login,
            "mfa": enrolled.get(user.pk, False), "sessions": user.session_count,
            "grants": granted.get(user.pk, []),
            "declared_at": security.declared_at if security else None,
        })
    return out


def _security_or_none(user):
    try:
        return user.security
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: no row made yet
        return None


def table(items: list[dict]) -> list[list]:
    return [[r["username"], r["name"], "yes" if r["active"] else "no", ", ".join(r["roles"]) or "—",
             "yes" if r["admin"] else "", r["last_login"] or "never", "enrolled" if r["mfa"] else "not enrolled",
             r["sessions"], "; ".join(r["grants"]), r["declared_at"] or ""] for r in items]


def snapshot(items: list[dict] | None = None) -> list[list[str]]:
    """The review's table as text: what the page shows and a signature covers."""
    def text(value):
        if hasattr(value, "strftime"):
            return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
        return str(value)

    return [[text(v) for v in row] for row in table(rows() if items is None else items)]


def unsigned(items: list[dict] | None = None) -> AccessReview:
    """The review as it stands now (not saved): the signing form stamps its content."""
    return AccessReview(rows=snapshot(items))


def sign_review(*, actor, password: str, comment: str = "") -> AccessReview:
    """The quality manager signs the list as shown (Reviewed); a PDF job is made of it."""
    from django.db import transaction

    from qms import jobs
    from qms.audit import record_event
    from qms.rules import require
    from qms.signatures import Meaning, authenticate_signer, sign

    require("qms.access_review", actor)
    review = unsigned()
    authenticate_signer(actor, password, obj=None, meaning=Meaning.REVIEWED)
    with transaction.atomic():
        review.reviewed_by = actor
        review.save()
        sign(signer=actor, password=password, obj=review, meaning=Meaning.REVIEWED, comment=comment)
        record_event(actor=actor, verb="access_review.signed", obj=review, comment=comment,
                     data={"users": len(review.rows)})
        review.job = jobs.request_job(kind="access_review_pdf", actor=actor, target=review)
    return review


@job_handler("access_review_pdf", label=gettext_noop("Access review (PDF)"))
def access_review_pdf(job: Job) -> JobOutput:
    """The current list, or (a job for a signed review) the list as signed, with its signature."""
    from qms.exports import table_pdf
    from qms.signatures import signatures_for

    review = job.target if isinstance(job.target, AccessReview) else None
    requested = job.requested_by.display_name if job.requested_by else "system"
    if review is not None:
        sig = signatures_for(review).first()
        signed = (f"Reviewed and signed electronically by {sig.printed_name} on {sig.signed_at:%Y-%m-%d %H:%M} UTC "
                  f"({sig.method}); content SHA-256 {sig.content_hash}") if sig else "Not signed"
        content = table_pdf(HEADERS, review.rows, title=f"Access review {review.created_at:%Y-%m-%d}",
                            subtitle=signed)
    else:
        content = table_pdf(HEADERS, table(rows()), title="Access review",
                            subtitle=f"Every user, their roles, last login and two-factor status; "
                                     f"made {timezone.now():%Y-%m-%d %H:%M} UTC for {requested} (not signed)")
    return JobOutput(filename=f"access-review-{timezone.now():%Y%m%d}.pdf", content=content,
                     content_type="application/pdf")


def remind() -> int:
    """The quarterly reminder to the quality manager(s)."""
    from django.urls import reverse

    from qms.notifications import notify_role
    from qms.permissions import Role

    return notify_role(Role.QUALITY_MANAGER, title=stored_text.text(gettext_noop("Quarterly access review due")),
                       body=stored_text.text(gettext_noop("Review who has access to the QMS, their roles and two-factor "
                                                          "status, and end what is no longer needed.")),
                       url=reverse("access-review"))


@predicate
def may_review_access(user) -> bool:
    return is_quality_manager(user) or bool(getattr(user, "is_superuser", False) and user.is_active)


rule("qms.access_review", may_review_access, _("Only the quality manager reviews who has access."))
