"""Personal access tokens: create (shown once), revoke, and what a use records.

The token is `qms_<key_id>.<secret>`: the key id is stored in clear for the
lookup, the secret only as HMAC-SHA256 keyed with a server pepper, so a copy of
the database holds no usable token. The `qms_` prefix lets secret scanners
find a token pasted where it should not be.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from api.models import PersonalAccessToken, TokenUse
from qms.audit import record_event
from qms.errors import DomainError
from qms.permissions import is_external_auditor
from qms.rules import require

PREFIX = "qms_"
# last_used is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(seconds=60)


class InvalidToken(Exception):
    """Malformed, unknown, wrong secret, expired, revoked, or its user stopped: one answer for all."""


@dataclass(frozen=True)
class NewToken:
    token: PersonalAccessToken
    plaintext: str  # shown once


def _pepper() -> bytes:
    return getattr(settings, "API_TOKEN_PEPPER", "").encode() or settings.SECRET_KEY.encode()


def digest(secret: str) -> str:
    return hmac.new(_pepper(), secret.encode(), hashlib.sha256).hexdigest()


def max_expiry(user, now: datetime | None = None) -> datetime:
    """The latest expiry a new token of `user` may have: a year (the setting),
    and for an external auditor the end of their access window."""
    now = now or timezone.now()
    latest = now + timedelta(days=settings.API_TOKEN_MAX_DAYS)
    if is_external_auditor(user):
        access = getattr(user, "auditor_access", None)
        if access is None or not access.is_open():
            raise DomainError(gettext("Your access window is not open: no token can be made."))
        latest = min(latest, access.valid_until)
    return latest


@transaction.atomic
def token_create(*, actor, name: str, expires_at: datetime, read_only: bool = False) -> NewToken:
    """A new token for `actor` (only ever for oneself). External auditors get read-only ones only."""
    require("api.manage_own_tokens", actor)
    name = (name or "").strip()
    if not name:
        raise DomainError(gettext("A token needs a name."))
    now = timezone.now()
    if not read_only:
        require("api.create_write_token", actor)
    if expires_at <= now:
        raise DomainError(gettext("The expiry must be in the future."))
    latest = max_expiry(actor, now)
    if timezone.localdate(expires_at) > timezone.localdate(latest):
        raise DomainError(gettext("A token may be valid until %(latest)s UTC at the latest.")
                          % {"latest": f"{latest:%Y-%m-%d %H:%M}"})
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(30)
    token = PersonalAccessToken.objects.create(
        user=actor, name=name[:100], key_id=key_id, digest=digest(secret), read_only=read_only,
        created_at=now, expires_at=min(expires_at, latest),
    )
    record_event(actor=actor, verb="api.token_created", obj=actor,
                 comment=f"{token.name} ({key_id})" + (", read-only" if read_only else ""),
                 data={"key_id": key_id, "read_only": read_only, "expires_at": token.expires_at.isoformat()})
    return NewToken(token=token, plaintext=f"{PREFIX}{key_id}.{secret}")


@transaction.atomic
def token_revoke(*, actor, token: PersonalAccessToken) -> PersonalAccessToken:
    """Revoke at once: the next request with it is refused."""
    require("api.revoke_token", actor, token)
    token = PersonalAccessToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise DomainError(gettext("This token is already revoked."))
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    record_event(actor=actor, verb="api.token_revoked", obj=token.user, comment=f"{token.name} ({token.key_id})",
                 data={"key_id": token.key_id})
    return token


def authenticate(raw: str) -> PersonalAccessToken:
    """The live token for `raw`, with its user, or InvalidToken."""
    from auditor.backends import external_access_open

    if not raw.startswith(PREFIX) or "." not in raw or len(raw) > 200:
        raise InvalidToken
    key_id, _, secret = raw[len(PREFIX):].partition(".")
    token = (PersonalAccessToken.objects.select_related("user", "user__auditor_access")
             .filter(key_id=key_id).first())
    if token is None or not hmac.compare_digest(token.digest, digest(secret)):
        raise InvalidToken
    user = token.user
    # A deactivated user, or an external auditor whose window closed, stops at once.
    if not token.is_active or not user.is_active or not external_access_open(user):
        raise InvalidToken
    return token


def record_use(*, token: PersonalAccessToken, request, status_code: int) -> None:
    """The access log row of one request; last used (at most once a minute); an
    audit event the first time the token is used from an address."""
    from qms.middleware import client_ip

    ip = client_ip(request)
    now = timezone.now()
    moved = ip != token.last_used_ip
    first_from_here = moved and not TokenUse.objects.filter(token=token, ip_address=ip).exists()
    TokenUse.objects.create(token=token, user=token.user, at=now, method=request.method[:8],
                            path=request.get_full_path()[:500], status_code=status_code, ip_address=ip)
    if moved or token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        # Not a tracked model: a plain UPDATE, so a busy token does not rewrite its row per request.
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token.last_used_at, token.last_used_ip = now, ip
    if first_from_here:
        record_event(actor=token.user, verb="api.token_new_address", obj=token.user,
                     comment=f"{token.name} ({token.key_id}) from {ip or 'unknown'}", data={"key_id": token.key_id},
                     request=request)


# ------------------------------------------------------------------ users (the administrator's writes)
USER_FIELDS = ("full_name", "job_title", "department", "is_active", "email")


@transaction.atomic
def user_save(*, actor, user=None, username: str = "", roles=None, reason: str = "", **fields):
    """Create (with `username`, no usable password: they set one from a reset
    link or sign in through single sign-on) or change a user. Users are
    deactivated, never deleted; role changes are recorded by qms.auth_events."""
    from qms.audit import attribute
    from qms.models import User

    require("api.administer_users", actor)
    created = user is None
    if created:
        if User.objects.filter(username=username).exists():
            raise DomainError(gettext("The user name “%(username)s” is taken.") % {"username": username})
        user = User(username=username)
        user.set_unusable_password()
    elif user.pk == actor.pk and fields.get("is_active") is False:
        raise DomainError(gettext("You cannot deactivate your own account."))
    for name in USER_FIELDS:
        if name in fields and fields[name] is not None:
            setattr(user, name, fields[name])
    user.full_clean(exclude=["password"])
    attribute(user, actor, reason or ("Created through the API" if created else "Changed through the API"))
    user.save()
    if roles is not None:
        user.groups.set(roles)
    return user
