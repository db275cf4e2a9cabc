"""Demo company: departments, processes and one user per role. Idempotent."""

from django.contrib.auth.models import Group
from django.db import transaction

from qms.models import Department, Process, User
from qms.permissions import Role

# Only for the demo. `seed_demo` refuses to run with DEBUG=False unless forced.
DEMO_PASSWORD = "demo-Quality-2026"

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


@transaction.atomic
def seed_core() -> dict[str, User]:
    depts = {}
    for code, name in DEPARTMENTS:
        depts[code], _ = Department.objects.get_or_create(code=code, defaults={"name": name})
    users = {}
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
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.set(Group.objects.filter(name__in=role_names))
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
