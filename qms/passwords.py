"""Passwords under Part 11 / Annex 11 (issue 17).

- A password an administrator set (a new account, a reset) is known to two
  people: the user must choose their own at the next login
  (`AccountSecurity.must_change_password`, set by the admin forms below).
- Optional expiry (settings.PASSWORD_EXPIRY_DAYS; 0 = never) forces the same change.
- No reuse of the last settings.PASSWORD_HISTORY_COUNT passwords
  (`PasswordHistoryValidator`, in AUTH_PASSWORD_VALIDATORS; Django calls its
  `password_changed` after every set_password + save, so the history fills itself).

While a change is due, every page but the password change and logout
redirects there (`PasswordChangeRequiredMiddleware`); the login sets a session
flag so other sessions pay nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from qms.audit import record_event
from qms.identity_models import AccountSecurity, PasswordHistory, security_of

SESSION_FLAG = "_qms_must_change_password"


# ------------------------------------------------------------------ history
class PasswordHistoryValidator:
    """Refuses the current password and the last PASSWORD_HISTORY_COUNT ones."""

    def validate(self, password, user=None):
        count = settings.PASSWORD_HISTORY_COUNT
        if not count or user is None or not getattr(user, "pk", None):
            return
        earlier = list(PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[:count])
        current = get_user_model().objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if any(check_password(password, encoded) for encoded in [current, *earlier] if encoded):
            raise ValidationError(
                gettext("You have used this password recently. Choose one that is not among your last %(count)s.")
                % {"count": count},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        now = timezone.now()
        AccountSecurity.objects.update_or_create(
            user_id=user.pk, defaults={"password_changed_at": now, "must_change_password": False})
        if hasattr(user, "_qms_security"):
            del user._qms_security
        count = settings.PASSWORD_HISTORY_COUNT
        if count and user.password:
            PasswordHistory.objects.create(user_id=user.pk, password=user.password, created_at=now)
            stale = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[count:]
            PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        count = settings.PASSWORD_HISTORY_COUNT
        return (gettext("Your password cannot be one of your last %(count)s passwords.") % {"count": count}
                if count else "")


# ------------------------------------------------------------------ forced change
def require_change(*, user, actor, reason: str) -> None:
    """The next login of `user` must start with a password change."""
    security = security_of(user)
    security.must_change_password = True
    security.save(update_fields=["must_change_password"])
    record_event(actor=actor, verb="user.password_set_by_admin", obj=user, comment=reason)


def change_due(user) -> str:
    """Why `user` must change their password now ("" when not)."""
    if not user.has_usable_password():
        return ""  # LDAP / single sign-on accounts: their directory decides
    security = security_of(user)
    if security.must_change_password:
        return gettext("An administrator set your password. Choose your own password to continue.")
    days = settings.PASSWORD_EXPIRY_DAYS
    if days:
        since = security.password_changed_at or user.date_joined
        if since and since < timezone.now() - timedelta(days=days):
            return (gettext("Your password is older than %(days)s days. Choose a new password to continue.")
                    % {"days": days})
    return ""


def flag_session(request, user) -> None:
    """At login: remember in the session that a change is due (the middleware asks only then)."""
    reason = change_due(user)
    if reason:
        request.session[SESSION_FLAG] = reason


class PasswordChangeRequiredMiddleware:
    ALLOWED = ("password_change", "password_change_done", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_FLAG in session and request.user.is_authenticated:
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                reason = change_due(request.user)
                if not reason:
                    del session[SESSION_FLAG]
                else:
                    messages.warning(request, reason)
                    return redirect("password_change")
        return self.get_response(request)


# ------------------------------------------------------------------ the admin's forms
class AdminSetPasswordForm(AdminPasswordChangeForm):
    """The admin's "change password" page: the user must change it again at next login."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit and self.cleaned_data.get("usable_password", True) not in (False, "false"):
            from qms.middleware import current_request

            request = current_request()
            actor = request.user if request is not None and request.user.is_authenticated else None
            require_change(user=user, actor=actor, reason="Password set by an administrator")
        return user

