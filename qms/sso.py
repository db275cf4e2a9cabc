"""What the directory and single sign-on logins share (issue 17): matching or
making the account from the provider's user name, roles from the identity
provider's groups, applied at every login and audited, where an account comes
from, and the one-time fresh re-authentication a signature may use. The
OpenID Connect backend is in qms/oidc.py, SAML in qms/saml.py."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
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


def role_map(text: str) -> dict[str, str]:
    """ "IdP group|Role;IdP group|Role" as {group: role}."""
    out = {}
    for item in (text or "").split(";"):
        if "|" in item:
            group, role = item.rsplit("|", 1)
            if group.strip() and role.strip():
                out[group.strip()] = role.strip()
    return out


def find_account(username: str):
    """The account a provider's user name names (case-insensitively), or None."""
    if not username:
        return None
    return get_user_model().objects.filter(username__iexact=username).first()


def create_account(username: str, *, full_name: str = "", email: str = "", label: str):
    """A new account at its first single sign-on login: no password of ours. Audited."""
    user = get_user_model()(username=username[:150])
    user.set_unusable_password()
    copy_profile(user, full_name=full_name, email=email)
    user.save()
    record_event(actor=None, actor_name=label, verb="sso.user_created", obj=user,
                 comment=f"Account made at first single sign-on login ({user.username})")
    return user


def copy_profile(user, *, full_name: str = "", email: str = "") -> None:
    user.full_name = str(full_name or user.full_name)[:150]
    user.email = str(email or user.email)[:254]


def after_login(user, groups, *, mapping_text: str, source: str, label: str):
    """At every single sign-on login: where the account signs in, and its roles from the groups."""
    if not user.is_active:
        return user  # the login step refuses inactive users
    mark_source(user, source)
    mapping = role_map(mapping_text)
    if isinstance(groups, str):
        groups = [groups]
    groups = set(groups or [])
    apply_roles(user, {role for group, role in mapping.items() if group in groups},
                managed=set(mapping.values()), source=label)
    return user


def match_or_create(username: str, *, full_name: str, email: str, groups, create: bool, mapping_text: str,
                    source: str, label: str):
    """The whole matching of a provider's answer (the SAML login; OIDC goes through its
    library's hooks, which call the same pieces). None when no account may be used."""
    user = find_account(username)
    if user is None:
        if not create or not username:
            return None
        user = create_account(username, full_name=full_name, email=email, label=label)
    else:
        copy_profile(user, full_name=full_name, email=email)
        user.save(update_fields=["full_name", "email"])
    return after_login(user, groups, mapping_text=mapping_text, source=source, label=label)


# ------------------------------------------------------------------ fresh re-authentication for a signature
REAUTHED = "_qms_oidc_reauthed"  # {"user": pk, "at": ts, "method": ...} after one, until a signature uses it
REAUTH_SECONDS = 300


def mark_reauthenticated(request, user, method: str) -> None:
    request.session[REAUTHED] = {"user": user.pk, "at": time.time(), "method": method}


def take_reauthentication(request, user) -> str:
    """The method of a fresh re-authentication at the provider for `user` within
    REAUTH_SECONDS ("oidc-reauth", "saml-reauth"), used once; "" when there is none."""
    if request is None or not hasattr(request, "session"):
        return ""
    done = request.session.get(REAUTHED)
    if not isinstance(done, dict) or done.get("user") != user.pk:
        return ""
    request.session.pop(REAUTHED, None)
    if time.time() - float(done.get("at", 0)) > REAUTH_SECONDS:
        return ""
    return str(done.get("method") or "oidc-reauth")
