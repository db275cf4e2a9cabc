"""Who may call the API at all, and which requests may change something.

The resource's own checks are the app's rules (qms.rules), asked by the same
services and selectors as the pages; these are the API's outer gates only."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import PersonalAccessToken
from qms.rules import allowed, message

READ_ONLY_TOKEN = _("This token is read-only: it cannot change anything.")


class ApiAccess(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False  # 401 with the Bearer challenge
        if not allowed("api.use_api", user):
            raise exceptions.PermissionDenied(message("api.use_api", user))
        if request.method in SAFE_METHODS:
            return True
        if isinstance(request.auth, PersonalAccessToken) and request.auth.read_only:
            raise exceptions.PermissionDenied(READ_ONLY_TOKEN)
        if getattr(view, "open_to_external_auditors", False):
            return True  # e.g. raising an evidence request, which the page allows them too
        if not allowed("api.write_with_api", user):
            raise exceptions.PermissionDenied(message("api.write_with_api", user))
        return True
