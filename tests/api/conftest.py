"""API clients: a token client per persona (read-write or read-only)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api import services


def token_for(user, *, read_only=False, days=30, name="test"):
    expires = timezone.now() + timedelta(days=days)
    try:
        expires = min(expires, services.max_expiry(user) - timedelta(minutes=5))
    except Exception:  # noqa: BLE001 - a closed window: let token_create say so
        pass
    return services.token_create(actor=user, name=name, read_only=read_only, expires_at=expires).plaintext


def client_with(plaintext) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return c


@pytest.fixture
def api_for(db):
    """api_for(user) -> an APIClient sending a fresh token of `user` (read_only=True for a read-only one)."""

    def make(user, *, read_only=None):
        from qms.rules import allowed

        if read_only is None:
            read_only = not allowed("api.create_write_token", user)
        return client_with(token_for(user, read_only=read_only))

    return make
