"""Demo company: departments, processes and one user per role. Idempotent.

Also the two helpers every app's demo uses to build a believable past: the
moving clock (`moving_clock`) and the signing shortcut (`remembered_passwords`).
"""

from __future__ import annotations

import calendar
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from qms.identity_models import DECLARATION_TEXT, AccountSecurity
from qms.models import Department, Notification, Process, User
from qms.permissions import Role

# Only for the demo. `seed_demo` refuses to run with DEBUG=False unless forced.
DEMO_PASSWORD = "demo-Quality-2026"
# The demo company went live with this QMS so many months before the seeding:
# every document, record, audit and CAPA of the demo happened in that time.
HISTORY_MONTHS = 18

DEPARTMENTS = [
    ("QA", "Quality Assurance"),
    ("PRD", "Production"),
    ("ENG", "Engineering"),
    ("PUR", "Purchasing"),
    ("SAL", "Sales and Customer Service"),
    ("HR", "Human Resources"),
]

# username, full name, job title, department, roles, is_staff (admin site)
USERS = [
    ("qm", "Quinn Marsh", "Quality Manager", "QA", [Role.QUALITY_MANAGER], False),
    ("author", "Alex Turner", "Process Engineer", "ENG", [Role.AUTHOR, Role.STAFF], False),
    ("approver", "Priya Shah", "Production Manager", "PRD", [Role.APPROVER, Role.STAFF], False),
    ("staff", "Sam Lee", "Machine Operator", "PRD", [Role.STAFF], False),
    ("auditor", "Dana Ortiz", "Internal Auditor", "PUR", [Role.AUDITOR, Role.STAFF], False),
    # A second internal auditor from another department, so the programme's
    # proposals always have an auditor independent of the audited area.
    ("auditor2", "Noor Haddad", "Internal Auditor", "ENG", [Role.AUDITOR, Role.STAFF], False),
    ("external", "Erik Berg", "Lead Auditor, CertBody AB", None, [Role.EXTERNAL_AUDITOR], False),
    ("admin", "Ada Admin", "IT Administrator", None, [], True),
]

PROCESSES = [
    ("MGT", "Management and planning", "QA", "qm"),
    ("DOC", "Document and record control", "QA", "qm"),
    ("SAL", "Sales and contract review", "SAL", None),
    ("DES", "Design and development", "ENG", "author"),
    ("PUR", "Purchasing and supplier control", "PUR", None),
    ("PRD", "Production and service provision", "PRD", "approver"),
    ("CAL", "Calibration and measuring equipment", "QA", None),
    ("HR", "Competence and training", "HR", None),
    ("IA", "Internal audit", "QA", "qm"),
    ("CAPA", "Nonconformity and corrective action", "QA", "qm"),
]


# (user id, stored hash, password) known to match: see `remembered_passwords`.
_KNOWN_PASSWORDS: set[tuple[int, str, str]] = set()


@transaction.atomic
def seed_core() -> dict[str, User]:
    depts = {}
    for code, name in DEPARTMENTS:
        depts[code], _ = Department.objects.get_or_create(code=code, defaults={"name": name})
    users = {}
    # One hash for all: the password is published anyway, and each hash is a
    # full PBKDF2 (about half a second).
    hashed = None
    for username, full_name, title, dept, role_names, is_admin in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "job_title": title,
                "email": f"{username}@example.com",
                "department": depts.get(dept),
                "is_staff": is_admin,
                "is_superuser": is_admin,
            },
        )
        if created:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
            user.save(update_fields=["password"])
            _KNOWN_PASSWORDS.add((user.pk, user.password, DEMO_PASSWORD))  # just hashed: no need to check it again
            user.groups.set(Group.objects.filter(name__in=role_names))
            # The demo's people made the one-time signature declaration (issue 17) when they joined.
            AccountSecurity.objects.get_or_create(
                user=user, defaults={"declared_at": timezone.now(), "declaration_text": DECLARATION_TEXT})
        users[username] = user
    for code, name, dept, owner in PROCESSES:
        Process.objects.get_or_create(
            code=code, defaults={"name": name, "department": depts[dept], "owner": users.get(owner)}
        )
    for code, manager in (("QA", "qm"), ("PRD", "approver"), ("ENG", "author")):
        dept = depts[code]
        if dept.manager_id is None:
            dept.manager = users[manager]
            dept.save()
    return users


# ------------------------------------------------------------------ the demo's past
def months_before(d: date, months: int) -> date:
    month = d.month - 1 - months
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def go_live(today: date | None = None) -> date:
    """The day the demo company started using the QMS (HISTORY_MONTHS ago)."""
    return months_before(today or timezone.localdate(), HISTORY_MONTHS)


class DemoClock:
    """The time every service stamps while the demo is seeded. `at()` moves it
    (forward or back); it then ticks on in real time, so two saves never share
    an instant. It never goes past the real now: the demo has no future."""

    def __init__(self, traveller, real_now: datetime):
        self._traveller = traveller
        self.real_now = real_now

    def at(self, when: date | datetime, hour: int = 9, minute: int = 0) -> datetime:
        if not isinstance(when, datetime):
            when = datetime.combine(when, time(hour, minute), tzinfo=UTC)
        when = min(when, self.real_now - timedelta(minutes=1))
        self._traveller.move_to(when)
        return when


@contextmanager
def moving_clock():
    """Run the real services at past dates: created, approved, effective,
    signed, history and audit-event times all come from this clock.

    time-machine (not freezegun) because it patches the clock at the C level:
    `timezone.now()`, `date.today()` and `time.time()` all move, moving costs
    nothing (the demo moves it a few thousand times), and no fake datetime
    class leaks into stored values. The demo only: never imported by the app."""
    import time_machine

    real_now = timezone.now()
    with time_machine.travel(real_now, tick=True) as traveller:
        yield DemoClock(traveller, real_now)


@contextmanager
def remembered_passwords():
    """While seeding, remember a password that was checked right for a user.

    The services ask for the signer's password at every signature, as they
    must; the demo signs a few hundred times with the published demo password,
    and each check is a full PBKDF2 (about half a second). The first check per
    user is the real one; later checks of the same password against the same
    stored hash are answered from memory (as are the passwords `seed_core` has
    just hashed). Only `seed_demo` uses this."""
    original = User.check_password
    known = _KNOWN_PASSWORDS

    def check_password(self, raw_password):
        key = (self.pk, self.password, raw_password)
        if key in known:
            return True
        ok = original(self, raw_password)
        if ok:
            known.add(key)
        return ok

    User.check_password = check_password
    try:
        yield
    finally:
        User.check_password = original
        known.clear()


def settle_notifications(older_than_days: int = 30) -> int:
    """People read their notifications: those older than a month are marked
    read the day after they came (the demo's users did open their inbox)."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    return Notification.objects.filter(created_at__lt=cutoff, read_at__isnull=True).update(
        read_at=F("created_at") + timedelta(hours=20)
    )
