"""Authentication that also enforces an external auditor's access window.

`user_can_authenticate` runs at login and, through `get_user`, on every request
with a session: so an auditor cannot log in before or after the window, and a
revoked or expired grant ends a live session at its next request.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from qms.audit import record_event
from qms.permissions import Role, roles


def external_access_open(user) -> bool:
    """True unless the user is an external auditor without an open grant."""
    if Role.EXTERNAL_AUDITOR not in roles(user):
        return True
    access = getattr(user, "auditor_access", None)
    return access is not None and access.is_open()


class AccessWindowBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and username and password:
            # Record why a right password was refused: the window, not the password.
            candidate = get_user_model()._default_manager.filter(username=username, is_active=True).first()
            if candidate is not None and candidate.check_password(password) and not external_access_open(candidate):
                # Only someone who gave the right password learns about the window
                # (the login form tells them): an anonymous guess learns nothing.
                if request is not None:
                    request.closed_auditor_access = getattr(candidate, "auditor_access", None) or "none"
                record_event(
                    actor=candidate, verb="auth.login_refused", obj=candidate,
                    comment="External auditor access is not open (outside its window or revoked)", request=request,
                )
        return user

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and external_access_open(user)

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("auditor_access").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
