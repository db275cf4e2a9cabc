"""Demo grant for the `external` login: open for 30 days from the seeding,
scoped to a few clauses and the production process. Idempotent; a closed
grant (the demo reseeded months later) is re-opened through the service."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from auditor import services
from auditor.models import AuditorAccess
from qms.models import Clause, Process

CLAUSES = ["7.1.5", "7.5", "8.5", "9.2", "10.2"]
PROCESSES = ["PRD"]
REFERENCE = "ISO 9001 stage 2 certification audit (demo)"


def seed(*, users, stdout) -> None:
    external, qm = users.get("external"), users.get("qm")
    if external is None or qm is None:
        return
    start = timezone.now() - timedelta(days=1)
    window = dict(valid_from=start, valid_until=start + timedelta(days=31), all_scope=False,
                  clauses=Clause.objects.filter(number__in=CLAUSES), processes=Process.objects.filter(code__in=PROCESSES))
    access = AuditorAccess.objects.filter(user=external).first()
    if access is None:
        access = AuditorAccess(user=external, organisation="CertBody AB", audit_reference=REFERENCE,
                               valid_from=window["valid_from"], valid_until=window["valid_until"], invited_by=qm)
        access.save()
        access.clauses.set(window["clauses"])
        access.processes.set(window["processes"])
    elif not access.is_open():
        services.renew_access(actor=qm, access=access, **window)
    stdout.write(f"auditor: external's grant {login_notes()['external']}")


def login_notes() -> dict[str, str]:
    """What the printed demo logins add after a user (seed_demo)."""
    access = AuditorAccess.objects.filter(user__username="external").first()
    if access is None:
        return {}
    scope = "everything" if access.all_scope else "clauses " + ", ".join(
        c.number for c in access.clauses.order_by("number")) + "; process " + ", ".join(
        p.name for p in access.processes.order_by("code"))
    return {"external": f"open {access.valid_from:%Y-%m-%d} to {access.valid_until:%Y-%m-%d} UTC, scope: {scope}"}
