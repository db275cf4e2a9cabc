"""Stored links stay on this site.

A URL a user supplies (the page an evidence request was asked from, a "back"
link) is kept only if it is a path on this site: it starts with one "/", has no
scheme or host (`//evil.example`, `/\\evil.example`, `javascript:` and
`https://…` are refused) and no control characters.
"""

from django.utils.http import url_has_allowed_host_and_scheme

MESSAGE = "A link must be a page on this site (a path starting with “/”)."


def is_same_site_path(value: str) -> bool:
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    return url_has_allowed_host_and_scheme(value, allowed_hosts=set(), require_https=False)


def same_site_path_or_empty(value: str) -> str:
    """For display of rows stored before the rule: an off-site value shows as no link."""
    return value if is_same_site_path(value or "") else ""
