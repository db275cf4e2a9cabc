"""People import: users with their department and roles (Django groups) from a CSV.

Login column: "local" (default) — the account gets no password and an
invitation by e-mail to set one (Django's password-reset token: the link works
once and expires after PASSWORD_RESET_TIMEOUT); "ldap" / "oidc" — the account
signs in through the directory or single sign-on (no invitation); "none" — a
person who does not log in (named on records and in training), no password.
Existing usernames are skipped (importing twice creates nobody twice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_noop

from intake.documents_import import formula_problem, report_texts
from intake.models import ImportedItem
from intake.tabular import Table, column, looks_like_formula
from qms import stored_text
from qms.audit import attribute, record_event
from qms.models import Department, User
from qms.permissions import Role
from qms.stored_text import as_data, as_data_list
from qms.stored_text import text as said

KIND = "people"
COLUMNS = {
    "username": ("username", "user name", "login", "user id"),
    "email": ("email", "e-mail", "mail", "email address"),
    "full_name": ("full name", "name"),
    "first_name": ("first name", "given name"),
    "last_name": ("last name", "surname", "family name"),
    "department": ("department", "dept"),
    "roles": ("roles", "role", "groups"),
    "job_title": ("job title", "title", "position"),
    "login": ("login method", "sign in", "authentication", "login type"),
}
LOGINS = {"": "local", "local": "local", "password": "local", "ldap": "ldap", "ad": "ldap", "oidc": "oidc",
          "sso": "oidc", "none": "none", "no": "none", "no login": "none"}


@dataclass
class PersonRow:
    row: int
    username: str = ""
    email: str = ""
    values: dict = field(default_factory=dict)
    department: Department | None = None
    groups: list = field(default_factory=list)
    login: str = "local"
    problems: list[str] = field(default_factory=list)  # stored texts (qms.stored_text), as warnings and action
    warnings: list[str] = field(default_factory=list)
    action: str = ""

    def as_report(self):
        return {"row": self.row, "username": self.username, "email": self.email, "login": self.login,
                "roles": [g.name for g in self.groups], "action": self.action, "action_i18n": as_data(self.action),
                "problems": self.problems, "problems_i18n": as_data_list(self.problems),
                "warnings": self.warnings, "warnings_i18n": as_data_list(self.warnings)}


@dataclass
class PeoplePlan:
    rows: list[PersonRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def error_count(self):
        return len(self.errors) + sum(1 for r in self.rows if r.problems)

    def report(self):
        return {**report_texts(self), "rows": [r.as_report() for r in self.rows],
                "summary": {"rows": len(self.rows), "problems": self.error_count,
                            "people_new": sum(1 for r in self.rows if r.action.startswith("create")),
                            "already_there": sum(1 for r in self.rows if r.action == "skip")}}


def plan(table: Table) -> PeoplePlan:
    result = PeoplePlan(errors=list(table.errors), notices=list(table.notices))
    if table.errors:
        return result
    cols = {k: column(table.headers, *names) for k, names in COLUMNS.items()}
    if not cols["username"]:
        result.errors.append(said(gettext_noop("The file has no “username” column.")))
        return result
    depts = {d.code.casefold(): d for d in Department.objects.all()}
    depts.update({d.name.casefold(): d for d in list(depts.values())})
    groups = {g.name.casefold(): g for g in Group.objects.filter(name__in=Role.ALL)}
    existing = {u.casefold() for u in User.objects.values_list("username", flat=True)}
    emails = {e.casefold() for e in User.objects.exclude(email="").values_list("email", flat=True)}
    seen, seen_mail = {}, {}
    for index, raw in enumerate(table.rows):
        if not raw:
            continue
        pr = PersonRow(row=table.row_number(index))
        pr.warnings.extend(table.row_notices.get(pr.row, []))

        def get(key, raw=raw):
            return (raw.get(cols[key]) or "").strip() if cols[key] else ""

        for header, value in raw.items():
            if looks_like_formula(value):
                pr.problems.append(formula_problem(header, value))
        pr.username, pr.email = get("username"), get("email")
        if not re.fullmatch(r"[\w.@+-]{1,150}", pr.username):
            pr.problems.append(said(gettext_noop("Username “%(username)s”: 1 to 150 letters, digits and @ . + - _ "
                                                 "only."), username=pr.username))
        if pr.email:
            try:
                validate_email(pr.email)
            except Exception:  # noqa: BLE001 - ValidationError
                pr.problems.append(said(gettext_noop("“%(email)s” is not an e-mail address."), email=pr.email))
        pr.login = LOGINS.get(get("login").casefold(), "")
        if not pr.login:
            pr.problems.append(said(gettext_noop("Login “%(login)s”: use local, ldap, oidc or none."),
                                    login=get("login")))
        if pr.login == "local" and not pr.email:
            pr.problems.append(said(gettext_noop(
                "A person who logs in with a password needs an e-mail address for the invitation.")))
        if get("department"):
            pr.department = depts.get(get("department").casefold())
            if pr.department is None:
                pr.problems.append(said(gettext_noop("Unknown department “%(department)s”."),
                                        department=get("department")))
        for name in [p.strip() for p in re.split(r"[;,]", get("roles")) if p.strip()]:
            g = groups.get(name.casefold())
            if g is None:
                pr.problems.append(said(gettext_noop("Unknown role “%(role)s” (roles: %(roles)s)."),
                                        role=name, roles=", ".join(Role.ALL)))
            else:
                pr.groups.append(g)
        full = get("full_name") or f"{get('first_name')} {get('last_name')}".strip()
        pr.values = {"full_name": full[:150], "first_name": get("first_name")[:150],
                     "last_name": get("last_name")[:150], "job_title": get("job_title")[:120]}
        key = pr.username.casefold()
        if key in seen:
            pr.problems.append(said(gettext_noop("Username %(username)s appears twice (also row %(row)s)."),
                                    username=pr.username, row=seen[key]))
        seen.setdefault(key, pr.row)
        if pr.email and pr.email.casefold() in seen_mail:
            pr.problems.append(said(gettext_noop("E-mail %(email)s appears twice (also row %(row)s)."),
                                    email=pr.email, row=seen_mail[pr.email.casefold()]))
        seen_mail.setdefault(pr.email.casefold(), pr.row)
        if key in existing:
            pr.action = "skip"
            pr.warnings.append(said(gettext_noop("This username exists already: left as it is.")))
        elif pr.email and pr.email.casefold() in emails:
            pr.problems.append(said(gettext_noop("E-mail %(email)s belongs to another user already."),
                                    email=pr.email))
        elif not pr.problems:
            pr.action = (stored_text.pgettext("import action", "create, invite by e-mail") if pr.login == "local"
                         else stored_text.pgettext("import action", "create"))
        result.rows.append(pr)
    return result


def invitation_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("password_reset_confirm", args=[uid, token])


def invite(user, *, by) -> None:
    send_mail(
        subject="Your account in the quality management system",
        message=(f"Hello {user.display_name},\n\n{by.display_name} has set up an account for you "
                 f"(username: {user.username}).\nChoose your password here (the link works once):\n\n"
                 f"{invitation_link(user)}\n"),
        from_email=None, recipient_list=[user.email],
    )


def execute(result: PeoplePlan, *, actor, run, progress=None) -> dict:
    if result.error_count:
        raise ValueError("A plan with problems is never executed.")
    from qms.identity_models import AccountSecurity

    todo = [r for r in result.rows if r.action.startswith("create")]
    ct = ContentType.objects.get_for_model(User)
    invited = []
    with transaction.atomic():
        for i, pr in enumerate(todo, start=1):
            user = User(username=pr.username, email=pr.email, department=pr.department, **pr.values)
            user.set_unusable_password()
            attribute(user, actor, f"Imported (import {run.pk}, row {pr.row})")
            user.save()
            user.groups.set(pr.groups)
            if pr.login in ("ldap", "oidc"):
                AccountSecurity.objects.update_or_create(user=user, defaults={"source": pr.login})
            ImportedItem.objects.create(run=run, kind=KIND, key=f"user:{pr.username.casefold()}", row=pr.row,
                                        content_type=ct, object_id=user.pk, data={"login": pr.login})
            record_event(actor=actor, verb="user.imported", obj=user, comment=f"import {run.pk}, row {pr.row}",
                         data={"login": pr.login, "roles": [g.name for g in pr.groups]})
            if pr.login == "local":
                invited.append(user)
            if progress:
                progress(i, len(todo))
        for user in invited:
            transaction.on_commit(lambda user=user: invite(user, by=actor))
    return {"people": len(todo), "invited": len(invited)}
