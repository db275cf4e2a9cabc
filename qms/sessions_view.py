"""Sessions (issue 17): a user sees where they are logged in (device, address,
last seen) and ends a session; an administrator ends all of a user's sessions.

A `UserSession` row is made at every login (the user_logged_in signal, so
also single sign-on and tests' force_login) and removed at logout; the
session itself lives in Django's session store, which ending deletes.
`LastSeenMiddleware` moves `last_seen` at most every few minutes.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from qms.audit import record_event
from qms.identity_models import UserSession
from qms.middleware import auditor_may_post, client_ip

SEEN_EVERY_SECONDS = 300
_SEEN = "_qms_seen"


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


@receiver(user_logged_in, dispatch_uid="qms-user-session-start")
def _session_started(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    if not session.session_key:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"user": user, "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
                  "ip_address": client_ip(request), "created_at": timezone.now(), "last_seen": timezone.now(),
                  "method": getattr(request, "_qms_login_method", "")[:30]},
    )
    session[_SEEN] = int(timezone.now().timestamp())


@receiver(user_logged_out, dispatch_uid="qms-user-session-end")
def _session_ended(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()


class LastSeenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            if now - session.get(_SEEN, 0) >= SEEN_EVERY_SECONDS and session.session_key:
                session[_SEEN] = now
                UserSession.objects.filter(session_key=session.session_key).update(last_seen=timezone.now())
        return self.get_response(request)


def end_session(*, actor, row: UserSession, reason: str) -> None:
    _store()(session_key=row.session_key).delete()
    row.delete()
    record_event(actor=actor, verb="session.ended", obj=row.user, comment=reason,
                 data={"ip_address": row.ip_address or "", "device": row.user_agent[:120]})


def end_all_sessions(*, actor, user, reason: str, keep: str | None = None) -> int:
    """End every session of `user` (but `keep`, the caller's own). Returns how many ended."""
    rows = list(UserSession.objects.filter(user=user).exclude(session_key=keep or ""))
    store = _store()
    for row in rows:
        store(session_key=row.session_key).delete()
    UserSession.objects.filter(pk__in=[r.pk for r in rows]).delete()
    record_event(actor=actor, verb="session.ended_all", obj=user, comment=reason, data={"count": len(rows)})
    return len(rows)


def device_label(user_agent: str) -> str:
    """A short, readable device name from a User-Agent header."""
    ua = user_agent or ""
    browser = next((name for key, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                                           ("Safari/", "Safari")) if key in ua), "")
    system = next((name for key, name in (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"),
                                          ("Mac OS", "macOS"), ("Linux", "Linux")) if key in ua), "")
    return " on ".join(p for p in (browser, system) if p) or (ua[:60] or "Unknown device")


@require_GET
def session_list(request):
    rows = list(UserSession.objects.filter(user=request.user).only(
        "session_key", "user_agent", "ip_address", "created_at", "last_seen", "method")[:200])
    for row in rows:
        row.device = device_label(row.user_agent)
        row.current = row.session_key == request.session.session_key
    return render(request, "qms/session_list.html", {"sessions": rows})


@auditor_may_post  # ending one's own session changes no QMS data
@require_POST
def session_end(request, pk: int):
    row = UserSession.objects.filter(pk=pk, user=request.user).select_related("user").first()
    if row is None:
        raise Http404(_("No such session."))
    if row.session_key == request.session.session_key:
        messages.info(request, _("To end this session, log out."))
        return redirect("session-list")
    end_session(actor=request.user, row=row, reason="Ended by the user")
    messages.success(request, _("The session was ended."))
    return redirect("session-list")


@auditor_may_post
@require_POST
def session_end_others(request):
    count = end_all_sessions(actor=request.user, user=request.user, reason="Ended by the user (all other sessions)",
                             keep=request.session.session_key)
    messages.success(request, ngettext("%(count)s other session ended.", "%(count)s other sessions ended.", count)
                     % {"count": count})
    return redirect("session-list")
