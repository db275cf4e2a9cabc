"""What the directory and single sign-on logins share (issue 17): roles from the
identity provider's groups, applied at every login and audited, and where an
account comes from. The OpenID Connect backend is in qms/oidc.py."""

from __future__ import annotations

from django.contrib.auth.models import Group

from qms.audit import record_event
from qms.identity_models import AccountSecurity


def mark_source(user, source: str) -> None:
    """Remember that `user` signs in through `source` ("ldap", "oidc")."""
    AccountSecurity.objects.update_or_create(user=user, defaults={"source": source})
    if hasattr(user, "_qms_security"):
        del user._qms_security


def apply_roles(user, wanted: set[str], *, managed: set[str], source: str) -> tuple[set[str], set[str]]:
    """Give `user` exactly the `wanted` roles among those the mapping `managed`
    (roles given by hand outside the mapping stay). Each change is an audit event."""
    managed = set(managed)
    wanted = set(wanted) & managed
    current = set(user.groups.filter(name__in=managed).values_list("name", flat=True))
    added, removed = wanted - current, current - wanted
    if added:
        user.groups.add(*Group.objects.filter(name__in=added))
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=removed))
    if added or removed:
        parts = ([f"granted {', '.join(sorted(added))}"] if added else []) + (
            [f"revoked {', '.join(sorted(removed))}"] if removed else [])
        record_event(actor=None, actor_name=source, verb="sso.roles_mapped", obj=user,
                     comment=f"Roles from {source} groups: " + "; ".join(parts),
                     data={"added": sorted(added), "removed": sorted(removed), "source": source})
        if hasattr(user, "_qms_roles"):
            del user._qms_roles
    return added, removed
