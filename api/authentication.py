"""How an API request says who it is: a personal access token, or the browser session.

`Authorization: Bearer qms_<key_id>.<secret>`. Every refusal (malformed,
unknown, wrong secret, expired, revoked, deactivated user, closed auditor
window) is the same 401, so the answer tells nothing about which tokens exist.
The session is DRF's, with its CSRF check on every unsafe method.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed

from api import services

REFUSED = _("The token is not valid: it is unknown, expired or revoked, or its account is stopped.")


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise AuthenticationFailed(_("Send the token as: Authorization: Bearer qms_…"))
        try:
            token = services.authenticate(header[1].decode("ascii"))
        except (services.InvalidToken, UnicodeDecodeError) as exc:
            raise AuthenticationFailed(REFUSED) from exc
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's session (Swagger UI, htmx pages), CSRF enforced as on the pages."""
