"""Rate limits per token (or per session user): 429 with Retry-After past the rate."""

from rest_framework.throttling import SimpleRateThrottle

from api.models import PersonalAccessToken


class PerToken(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, PersonalAccessToken):
            ident = f"token-{request.auth.key_id}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"addr-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
