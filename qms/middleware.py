"""Request context for services: who is acting and from where, so that audit
events get an IP address without every service taking the request."""

import threading

_local = threading.local()


def auditor_may_post(view):
    """Mark a view an external auditor may POST to although their account is
    read-only: it changes no QMS data (asking for evidence, building an
    export or a pack, logging out). See auditor.middleware."""
    view.auditor_may_post = True
    return view


def current_request():
    return getattr(_local, "request", None)


def client_ip(request) -> str | None:
    if request is None:
        return None
    # Behind a proxy set BEHIND_TLS_PROXY and let the proxy set REMOTE_ADDR via
    # its own mechanism; we do not trust X-Forwarded-For from clients.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _local.request = request
        try:
            return self.get_response(request)
        finally:
            _local.request = None

    def process_exception(self, request, exception):
        """A domain rule that a view did not catch still answers with its reason, not a 500."""
        from django.shortcuts import render

        from qms.errors import DomainError, PermissionRefused

        if isinstance(exception, DomainError) and not isinstance(exception, PermissionRefused):
            return render(
                request, "error.html", {"title": "Not allowed", "message": exception.message},
                status=exception.status_code,
            )
        return None


class SlidingSessionMiddleware:
    """Idle sessions expire after SESSION_COOKIE_AGE (ACC-07); activity keeps
    them alive. Instead of rewriting the session row on every request
    (SESSION_SAVE_EVERY_REQUEST), it is touched at most once a minute, so the
    idle limit holds to within a minute and most pages save one query."""

    TOUCH_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            from django.utils import timezone

            now = int(timezone.now().timestamp())
            if now - request.session.get("_touched", 0) >= self.TOUCH_EVERY_SECONDS:
                request.session["_touched"] = now  # modified → saved with a new expiry
        return self.get_response(request)


class NoStoreForLoggedInMiddleware:
    """Pages and downloads served to a logged-in user show controlled content:
    no browser or proxy may keep a copy (`Cache-Control: no-store`), so the back
    button after logout or a shared machine's cache shows nothing. Responses
    that set their own Cache-Control keep it only if it already says no-store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            from django.utils.cache import add_never_cache_headers

            if "Cache-Control" in response:
                del response["Cache-Control"]
            add_never_cache_headers(response)
        return response


class RejectNulMiddleware:
    """A NUL byte (%00) is never valid in an address, a query or a form value,
    and PostgreSQL refuses it in any text comparison (a 500 from whichever view
    first queries with it). Refuse the request once, here, for every view —
    anonymous or logged in — with a 400 and the reason. Cookies carrying one
    are dropped rather than refused (the session lookup would fail the same way).
    Placed first so nothing below ever sees such a value."""

    MESSAGE = "Bad request: the address or a form value contains a NUL character (%00), which is never valid."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [k for k, v in request.COOKIES.items() if "\x00" in k or "\x00" in v]:
            del request.COOKIES[name]
        if self._has_nul(request):
            from django.http import HttpResponseBadRequest

            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or "\x00" in request.path_info:
            return True
        if _any_nul(request.GET):
            return True
        if request.method == "POST":
            try:
                return _any_nul(request.POST)
            except Exception:  # noqa: BLE001 - a malformed body is Django's to answer later
                return False
        return False


def _any_nul(querydict) -> bool:
    for key, values in querydict.lists():
        if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
            return True
    return False
