"""Personal access tokens: made on the API tokens page, shown once, stored
hashed, listed with last use, revocable (by the owner and the quality
manager), stopped at once for a deactivated user or a closed auditor window,
read-only where asked (always for external auditors), every use logged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api import services
from api.models import PersonalAccessToken, TokenUse
from qms.errors import DomainError, PermissionRefused
from qms.models import AuditEvent
from tests.api.conftest import client_with, token_for

pytestmark = pytest.mark.django_db


def _create_on_page(client, **data):
    payload = {"name": "ERP import", "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(), **data}
    return client.post("/api/tokens/", payload)


def test_a_token_made_on_the_page_is_shown_once_and_stored_hashed(client_for, staff):
    c = client_for(staff)
    response = _create_on_page(c)
    assert response.status_code == 200
    body = response.content.decode()
    token = PersonalAccessToken.objects.get(user=staff)
    start = body.index("qms_" + token.key_id + ".")
    plaintext = body[start:].split("<", 1)[0].strip()
    secret = plaintext.split(".", 1)[1]
    assert secret not in token.digest and len(token.digest) == 64
    assert "shown only this once" in body
    again = c.get("/api/tokens/").content.decode()
    assert secret not in again and token.key_id in again  # listed, never shown again
    assert client_with(plaintext).get("/api/v1/users/me/").json()["username"] == "staff"
    assert AuditEvent.objects.filter(verb="api.token_created", actor=staff).exists()


def test_the_expiry_is_required_and_at_most_a_year(client_for, staff):
    c = client_for(staff)
    assert _create_on_page(c, expires_on="").status_code == 400
    far = (timezone.localdate() + timedelta(days=400)).isoformat()
    assert _create_on_page(c, expires_on=far).status_code == 400
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert _create_on_page(c, expires_on=past).status_code == 400
    assert not PersonalAccessToken.objects.exists()
    year = (timezone.localdate() + timedelta(days=365)).isoformat()
    assert _create_on_page(c, expires_on=year).status_code == 200


def test_use_records_last_used_and_an_access_log_row_and_a_new_address_event(staff):
    plaintext = token_for(staff)
    c = client_with(plaintext)
    assert c.get("/api/v1/users/me/", REMOTE_ADDR="10.0.0.7").status_code == 200
    assert c.get("/api/v1/users/me/", REMOTE_ADDR="10.0.0.7").status_code == 200
    token = PersonalAccessToken.objects.get(user=staff)
    assert token.last_used_ip == "10.0.0.7" and token.last_used_at is not None
    assert TokenUse.objects.filter(token=token).count() == 2
    assert TokenUse.objects.filter(token=token, path="/api/v1/users/me/", status_code=200).count() == 2
    assert AuditEvent.objects.filter(verb="api.token_new_address").count() == 1
    c.get("/api/v1/users/me/", REMOTE_ADDR="10.0.0.8")
    assert AuditEvent.objects.filter(verb="api.token_new_address").count() == 2


@pytest.mark.parametrize("header", ["Bearer qms_nope.nope", "Bearer nonsense", "Bearer", "Bearer qms_a.b c",
                                    "Bearer " + "q" * 5000, "Bearer qms_\u00e9.x"])
def test_bad_tokens_are_401_with_a_reason(client, header):
    response = client.get("/api/v1/users/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_wrong_secret_for_a_real_key_is_refused_like_an_unknown_token(staff):
    plaintext = token_for(staff)
    key = plaintext.split(".")[0]
    response = client_with(key + ".wrongsecret").get("/api/v1/users/me/")
    unknown = client_with("qms_000000000000.wrongsecret").get("/api/v1/users/me/")
    assert response.status_code == unknown.status_code == 401
    assert response.json() == unknown.json()


def test_a_revoked_or_expired_token_stops(staff, quality_manager):
    plaintext = token_for(staff)
    c = client_with(plaintext)
    assert c.get("/api/v1/users/me/").status_code == 200
    token = PersonalAccessToken.objects.get(user=staff)
    services.token_revoke(actor=staff, token=token)
    assert c.get("/api/v1/users/me/").status_code == 401
    assert AuditEvent.objects.filter(verb="api.token_revoked").exists()
    other = token_for(staff, name="short")
    t2 = PersonalAccessToken.objects.get(name="short")
    t2.expires_at = timezone.now() - timedelta(seconds=1)
    t2.created_at = t2.expires_at - timedelta(days=1)
    t2.save()
    assert client_with(other).get("/api/v1/users/me/").status_code == 401


def test_a_deactivated_users_tokens_stop_at_once(staff):
    c = client_with(token_for(staff))
    assert c.get("/api/v1/users/me/").status_code == 200
    staff.is_active = False
    staff.save()
    assert c.get("/api/v1/users/me/").status_code == 401


def test_a_read_only_token_cannot_post(staff):
    c = client_with(token_for(staff, read_only=True))
    assert c.get("/api/v1/notifications/").status_code == 200
    response = c.post("/api/v1/notifications/read/")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_the_page_revokes_own_tokens_and_not_others(client_for, staff, author):
    token_for(staff)
    token = PersonalAccessToken.objects.get(user=staff)
    assert client_for(author).post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert client_for(staff).post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == staff


def test_the_quality_manager_lists_and_revokes_everyones_tokens(client_for, quality_manager, staff):
    token_for(staff, name="Staff LIMS feed")
    token = PersonalAccessToken.objects.get(user=staff)
    c = client_for(quality_manager)
    page = c.get("/api/tokens/all/")
    assert page.status_code == 200 and "Staff LIMS feed" in page.content.decode()
    assert client_for(staff).get("/api/tokens/all/").status_code == 403
    assert c.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == quality_manager


def test_an_external_auditor_gets_read_only_tokens_within_the_window(client_for, external_auditor):
    with pytest.raises(PermissionRefused):
        services.token_create(actor=external_auditor, name="x", expires_at=timezone.now() + timedelta(days=2))
    window_end = external_auditor.auditor_access.valid_until
    with pytest.raises(DomainError):
        services.token_create(actor=external_auditor, name="x", read_only=True,
                              expires_at=window_end + timedelta(days=2))
    c = client_for(external_auditor)
    # The page makes it read-only whatever is posted.
    until = timezone.localdate(window_end).isoformat()
    response = c.post("/api/tokens/", {"name": "pull evidence", "expires_on": until})
    assert response.status_code == 200, response.content.decode()[:2000]
    token = PersonalAccessToken.objects.get(user=external_auditor)
    assert token.read_only and token.expires_at <= window_end


def test_an_external_auditors_token_stops_when_the_window_closes(external_auditor, quality_manager):
    from auditor import services as auditor_services

    c = client_with(token_for(external_auditor, read_only=True, days=3))
    assert c.get("/api/v1/users/me/").status_code == 200
    auditor_services.revoke_access(actor=quality_manager, access=external_auditor.auditor_access, reason="Done")
    assert c.get("/api/v1/users/me/").status_code == 401


def test_a_user_without_a_role_cannot_make_a_token(client_for, outsider):
    assert client_for(outsider).get("/api/tokens/").status_code == 403
    with pytest.raises(PermissionRefused):
        services.token_create(actor=outsider, name="x", expires_at=timezone.now() + timedelta(days=2))


def test_anonymous_api_requests_are_401_json(client):
    response = client.get("/api/v1/documents/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"]


def test_session_posts_need_the_csrf_token(staff):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(staff)
    response = c.post("/api/v1/notifications/read/")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_token_is_throttled_with_retry_after(staff, settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings

    from api.throttling import PerToken

    cache.clear()
    old = PerToken.THROTTLE_RATES
    PerToken.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "api": "3/min"}
    try:
        c = client_with(token_for(staff))
        codes = [c.get("/api/v1/users/me/").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3] == 429
        response = c.get("/api/v1/users/me/")
        assert response.status_code == 429 and int(response["Retry-After"]) > 0
    finally:
        PerToken.THROTTLE_RATES = old
        cache.clear()


def test_the_access_log_is_append_only_and_tokens_are_never_deleted(staff):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    if connection.vendor != "postgresql":
        pytest.skip("the guards are PostgreSQL triggers")
    c = client_with(token_for(staff))
    c.get("/api/v1/users/me/")
    use = TokenUse.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        TokenUse.objects.filter(pk=use.pk).update(status_code=500)
    token_for(staff, name="unused")
    with pytest.raises(DatabaseError), transaction.atomic():
        PersonalAccessToken.objects.filter(name="unused").delete()
