"""External auditors: read-only everywhere, and every request logged.

Placed after authentication. A view an external auditor may POST to (raising
an evidence request, logging out) is marked with `qms.middleware.auditor_may_post`.
"""

from django.shortcuts import render

from qms.middleware import client_ip
from qms.permissions import is_external_auditor

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ALWAYS_ALLOWED = {"logout"}


class ExternalAuditorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_external_auditor(user):
            from auditor.models import AccessLogEntry

            match = getattr(request, "resolver_match", None)
            AccessLogEntry.objects.create(
                user=user,
                method=request.method[:8],
                path=request.get_full_path()[:500],
                view_name=(match.view_name if match else "")[:120],
                status_code=response.status_code,
                ip_address=client_ip(request),
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS or not request.user.is_authenticated:
            return None
        if not is_external_auditor(request.user):
            return None
        name = request.resolver_match.url_name if request.resolver_match else ""
        if getattr(view_func, "auditor_may_post", False) or name in ALWAYS_ALLOWED:
            return None
        return render(
            request,
            "error.html",
            {"title": "Read-only access", "message": "External auditor accounts are read-only: nothing can be changed."},
            status=403,
        )
