"""Authentication events into the audit trail (PIC/S 9.5, 21 CFR 11.300(d)):
every login, logout, failed login and lockout, with UTC time and IP."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils.translation import gettext_noop

from qms import stored_text
from qms.audit import record_event
from qms.middleware import current_request
from qms.notifications import notify_role
from qms.permissions import Role


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    method = getattr(request, "_qms_login_method", "") if request is not None else ""
    record_event(actor=user, verb="auth.login", obj=user, request=request, data={"method": method} if method else None)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(actor=user, verb="auth.logout", obj=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")[:150]
    record_event(actor=None, actor_name=username, verb="auth.login_failed", data={"username": username}, request=request)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    record_event(
        actor=None,
        actor_name=username or "",
        verb="auth.locked_out",
        comment=f"Too many failed logins (limits per user name and per address {ip_address})",
        data={"username": username, "ip_address": ip_address},
        request=request,
    )
    notify_role(
        Role.QUALITY_MANAGER,
        title=stored_text.text(gettext_noop("Account locked: %(username)s"), username=username),
        body=stored_text.text(gettext_noop("Too many failed logins for “%(username)s” from %(address)s."),
                              username=username, address=ip_address),
    )


@receiver(m2m_changed, sender=get_user_model().groups.through)
def _roles_changed(sender, instance, action, pk_set, **kwargs):
    """Granting and revoking roles is audit-trailed (EU Annex 11 §12.3)."""
    if action not in ("post_add", "post_remove", "post_clear") or not isinstance(instance, get_user_model()):
        return
    from django.contrib.auth.models import Group

    names = sorted(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
    request = current_request()
    actor = request.user if request is not None and request.user.is_authenticated else None
    verb = {"post_add": "user.roles_granted", "post_remove": "user.roles_revoked", "post_clear": "user.roles_cleared"}
    record_event(actor=actor, verb=verb[action], obj=instance, comment=", ".join(names), data={"roles": names})
