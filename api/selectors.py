"""Reads of personal access tokens."""

from django.db.models import QuerySet

from api.models import PersonalAccessToken, TokenUse
from qms.rules import allowed


def tokens_of(user) -> QuerySet[PersonalAccessToken]:
    return PersonalAccessToken.objects.filter(user=user).select_related("revoked_by").order_by("-created_at", "-id")


def all_tokens(user) -> QuerySet[PersonalAccessToken]:
    """Everyone's tokens, for the quality manager."""
    if not allowed("api.manage_all_tokens", user):
        return PersonalAccessToken.objects.none()
    return PersonalAccessToken.objects.select_related("user", "revoked_by").order_by("-created_at", "-id")


def recent_uses(token: PersonalAccessToken, limit: int = 20):
    return TokenUse.objects.filter(token=token).order_by("-at", "-id")[:limit]
