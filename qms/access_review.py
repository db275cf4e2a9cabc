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

from qms import mfa
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


@job_handler("access_review_pdf", label="Access review (PDF)")
def access_review_pdf(job: Job) -> JobOutput:
    from qms.exports import table_pdf

    requested = job.requested_by.display_name if job.requested_by else "system"
    content = table_pdf(HEADERS, table(rows()), title="Access review",
                        subtitle=f"Every user, their roles, last login and two-factor status; "
                                 f"made {timezone.now():%Y-%m-%d %H:%M} UTC for {requested}")
    return JobOutput(filename=f"access-review-{timezone.now():%Y%m%d}.pdf", content=content,
                     content_type="application/pdf")


def remind() -> int:
    """The quarterly reminder to the quality manager(s)."""
    from django.urls import reverse

    from qms.notifications import notify_role
    from qms.permissions import Role

    return notify_role(Role.QUALITY_MANAGER, title="Quarterly access review due",
                       body="Review who has access to the QMS, their roles and two-factor status, "
                            "and end what is no longer needed.",
                       url=reverse("access-review"))


@predicate
def may_review_access(user) -> bool:
    return is_quality_manager(user) or bool(getattr(user, "is_superuser", False) and user.is_active)


rule("qms.access_review", may_review_access, "Only the quality manager reviews who has access.")
