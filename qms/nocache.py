"""`Cache-Control: no-store` on every response a signed-in user gets.

Pages and downloads show controlled content (drafts, records, evidence): a
shared proxy or the browser's back/forward cache must not keep a copy that
outlives the session or the user's access. Responses that set their own
caching (static files, which WhiteNoise serves before this runs) are left alone.
"""

from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
