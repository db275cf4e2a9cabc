"""LDAP / Active Directory bind authentication (issue 17), on django-auth-ldap.

On when LDAP_SERVER_URI is set (qms/settings.py calls `configure`). The
login form's user name and password are checked by a bind to the directory
as that user (found by LDAP_USER_FILTER under LDAP_USER_SEARCH_BASE with a
service account); the account is made or matched here (LDAP_CREATE_USERS),
its name and e-mail copied, and its roles set from its directory groups at
every login (LDAP_ROLE_MAP, "group DN|Role;group DN|Role"), each change an
audit event. A member of LDAP_DENY_GROUP (the directory's disabled accounts)
is refused and deactivated here too. User names with LDAP filter or DN
metacharacters never reach the directory (`SAFE_USERNAME`); django-auth-ldap
escapes filter values as well.

Signing re-proves an LDAP account's identity with a fresh bind
(`check_password`): the directory, not a copy of the password, decides.

python-ldap builds against libldap: `pip install -r requirements-ldap.txt`
after `apt-get install libldap2-dev libsasl2-dev`.
"""

from __future__ import annotations

import re

from django.conf import settings

SAFE_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,150}$")
SOURCE = "ldap"


def enabled() -> bool:
    return bool(getattr(settings, "AUTH_LDAP_SERVER_URI", ""))


def role_map(text: str) -> dict[str, str]:
    """ "cn=a,ou=groups,dc=x|Quality Manager;cn=b,...|Approver" → {lowercased DN: role}."""
    out = {}
    for item in (text or "").split(";"):
        if "|" in item:
            dn, role = item.rsplit("|", 1)
            if dn.strip() and role.strip():
                out[dn.strip().lower()] = role.strip()
    return out


def configure(get) -> dict:
    """The AUTH_LDAP_* settings from the environment (`get(name, default)`)."""
    import ldap
    from django_auth_ldap.config import ActiveDirectoryGroupType, GroupOfNamesType, LDAPSearch, PosixGroupType

    group_types = {"groupOfNames": GroupOfNamesType, "posixGroup": PosixGroupType,
                   "activeDirectory": ActiveDirectoryGroupType}
    group_type = group_types.get(get("LDAP_GROUP_TYPE", "groupOfNames"), GroupOfNamesType)
    group_filter = {"posixGroup": "(objectClass=posixGroup)", "activeDirectory": "(objectClass=group)"}.get(
        get("LDAP_GROUP_TYPE", "groupOfNames"), "(objectClass=groupOfNames)")
    return {
        "AUTH_LDAP_SERVER_URI": get("LDAP_SERVER_URI", ""),
        "AUTH_LDAP_BIND_DN": get("LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": get("LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_START_TLS": str(get("LDAP_START_TLS", "")).lower() in ("1", "true", "yes"),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(get("LDAP_USER_SEARCH_BASE", ""), ldap.SCOPE_SUBTREE,
                                            get("LDAP_USER_FILTER", "(uid=%(user)s)")),
        "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(get("LDAP_GROUP_SEARCH_BASE", ""), ldap.SCOPE_SUBTREE, group_filter),
        "AUTH_LDAP_GROUP_TYPE": group_type(),
        "AUTH_LDAP_USER_ATTR_MAP": {"full_name": get("LDAP_NAME_ATTR", "cn"), "email": get("LDAP_EMAIL_ATTR", "mail")},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_NO_NEW_USERS": str(get("LDAP_CREATE_USERS", "true")).lower() in ("0", "false", "no"),
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: 5, ldap.OPT_TIMEOUT: 10,
                                         ldap.OPT_REFERRALS: 0},
        "QMS_LDAP_ROLE_MAP": role_map(get("LDAP_ROLE_MAP", "")),
        "QMS_LDAP_DENY_GROUP": (get("LDAP_DENY_GROUP", "") or "").lower(),
    }


def is_ldap_user(user) -> bool:
    from qms.identity_models import AccountSecurity

    return AccountSecurity.objects.filter(user_id=user.pk, source=SOURCE).exists()


def check_password(user, password: str) -> bool:
    """A fresh bind as `user` (signing re-proves identity against the directory)."""
    if not SAFE_USERNAME.match(user.username or ""):
        return False
    found = QmsLDAPBackend().authenticate(None, username=user.username, password=password)
    return found is not None and found.pk == user.pk


try:
    from django_auth_ldap.backend import LDAPBackend
except ImportError:  # python-ldap not installed: LDAP stays off
    LDAPBackend = object


class QmsLDAPBackend(LDAPBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        from qms.audit import record_event

        if not enabled() or username is None:
            return None
        if not SAFE_USERNAME.match(username):
            record_event(actor=None, actor_name=username[:150], verb="auth.ldap_refused", request=request,
                         comment="User name with characters a directory name never has (LDAP injection refused)",
                         data={"username": username[:150]})
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def authenticate_ldap_user(self, ldap_user, password):
        from qms.audit import record_event

        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        groups = {dn.lower() for dn in ldap_user.group_dns}
        deny = settings.QMS_LDAP_DENY_GROUP
        if deny and deny in groups:
            if user.is_active:
                user.is_active = False
                user.save(update_fields=["is_active"])
            record_event(actor=None, actor_name=user.username, verb="auth.ldap_refused", obj=user,
                         comment="Account disabled in the directory: refused and deactivated")
            return None
        if not user.is_active:
            return None
        from qms.sso import apply_roles, mark_source

        mark_source(user, SOURCE)
        mapping = settings.QMS_LDAP_ROLE_MAP
        apply_roles(user, {role for dn, role in mapping.items() if dn in groups},
                    managed=set(mapping.values()), source="LDAP")
        return user
