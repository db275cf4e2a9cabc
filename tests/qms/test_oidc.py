"""OpenID Connect login against a real provider on loopback (django-oidc-provider,
tests/oidc_idp/): authorization code with PKCE, user created and matched, roles
from the groups claim at every login (audited), a bad or expired state refused,
break-glass local login, and signing after a fresh re-authentication whose
auth_time is checked."""

import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client

from qms.identity_models import AccountSecurity
from qms.models import AuditEvent, Signature
from qms.permissions import roles
from tests.factories import PASSWORD, UserFactory, ensure_reference_data
from tests.qms.oidc_server import PASSWORD as IDP_PASSWORD
from tests.qms.oidc_server import Provider
from tests.records.factories import make_record, make_type
from tests.signing import shown

User = get_user_model()
CALLBACK = "http://testserver/accounts/oidc/callback/"


@pytest.fixture(scope="module")
def provider():
    idp = Provider(CALLBACK)
    yield idp
    idp.stop()


@pytest.fixture
def oidc_on(provider, settings, db):
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "qms.oidc.QmsOIDCBackend"]
    ensure_reference_data()
    return provider


def through_provider(browser: requests.Session, url: str, username: str) -> str:
    """Follow the provider's pages as a person would (log in there); returns our callback URL."""
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (301, 302):
            location = urljoin(url, response.headers["Location"])
            if location.startswith(CALLBACK):
                return location
            url = location
            continue
        assert 'name="username"' in response.text, response.text[:1000]
        form = {"username": username, "password": IDP_PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                "next": parse_qs(urlsplit(response.url).query).get("next", [""])[0]}
        posted = browser.post(response.url, data=form, allow_redirects=False, timeout=10,
                              headers={"Referer": response.url})
        assert posted.status_code == 302, posted.text[:1000]
        url = urljoin(response.url, posted.headers["Location"])
    raise AssertionError("the provider never sent the browser back")


def sso_login(client: Client, username: str, browser=None, start="/accounts/oidc/login/"):
    browser = browser or requests.Session()
    start_response = client.get(start)
    assert start_response.status_code == 302
    authorize = start_response["Location"]
    callback = through_provider(browser, authorize, username)
    return authorize, client.get(callback[len("http://testserver"):]), browser


def test_login_through_the_provider_with_pkce_creates_the_user_and_maps_roles(client, oidc_on):
    authorize, response, _ = sso_login(client, "olivia")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    olivia = User.objects.get(username="olivia")
    assert olivia.full_name == "Olivia Owens" and not olivia.has_usable_password()
    assert roles(olivia) == {"Quality Manager"}
    assert AccountSecurity.objects.get(user=olivia).source == "oidc"
    assert AuditEvent.objects.filter(verb="sso.user_created", object_id=str(olivia.pk)).exists()
    assert AuditEvent.objects.get(verb="sso.roles_mapped", object_id=str(olivia.pk)).data["added"] == [
        "Quality Manager"]
    assert client.session["_qms_auth_method"] == "oidc"


def test_existing_account_is_matched_and_roles_follow_the_provider_at_every_login(oidc_on):
    sven = UserFactory(username="sven", roles=["Staff", "Quality Manager"])
    sso_login(Client(), "sven")
    sven.refresh_from_db()
    assert User.objects.filter(username="sven").count() == 1
    assert roles(User.objects.get(pk=sven.pk)) == {"Staff"}  # the provider does not say Quality Manager
    assert AuditEvent.objects.get(verb="sso.roles_mapped", object_id=str(sven.pk)).data["removed"] == [
        "Quality Manager"]
    db = sqlite3.connect(Path(oidc_on.dir) / "idp.sqlite3")
    db.execute("INSERT INTO auth_group (name) VALUES ('qms-quality-2')")
    db.execute("UPDATE auth_group SET name='qms-gone' WHERE name='qms-staff'")
    db.commit()
    try:
        sso_login(Client(), "sven")
        assert roles(User.objects.get(pk=sven.pk)) == set()
        assert AuditEvent.objects.filter(verb="sso.roles_mapped", object_id=str(sven.pk)).count() == 2
    finally:
        db.execute("UPDATE auth_group SET name='qms-staff' WHERE name='qms-gone'")
        db.commit()
        db.close()


def test_unknown_or_expired_state_and_provider_errors_are_refused_with_a_message(client, oidc_on):
    response = client.get("/accounts/oidc/callback/?code=abc&state=never-issued", follow=True)
    assert response.status_code == 200 and "Single sign-on failed" in response.content.decode()
    assert "unknown state" in response.content.decode()
    response = client.get("/accounts/oidc/callback/?error=access_denied&state=x", follow=True)
    assert "access_denied" in response.content.decode()
    assert AuditEvent.objects.filter(verb="auth.oidc_refused").count() == 2
    assert client.get("/").status_code == 302


def test_a_refusal_is_said_in_the_browsers_language_and_trailed_in_english(client, oidc_on):
    response = client.get("/accounts/oidc/callback/?code=abc&state=never-issued", follow=True,
                          HTTP_ACCEPT_LANGUAGE="de")
    page = response.content.decode()
    assert "Single Sign-on fehlgeschlagen: Die Anmeldeanfrage ist abgelaufen oder wurde nicht hier gestartet" in page
    event = AuditEvent.objects.get(verb="auth.oidc_refused")
    assert event.comment == "the login request expired or was not started here (unknown state)."


def test_a_state_used_once_cannot_be_replayed(client, oidc_on):
    _, _, browser = sso_login(client, "olivia")
    other = Client()
    start = other.get("/accounts/oidc/login/")
    callback = through_provider(browser, start["Location"], "olivia")
    assert other.get(callback[len("http://testserver"):]).status_code == 302
    again = other.get(callback[len("http://testserver"):], follow=True)
    assert "Single sign-on failed" in again.content.decode()


def test_break_glass_keeps_password_login_for_named_accounts_only(client, oidc_on, settings, staff):
    settings.LOCAL_LOGIN = "break-glass"
    admin = UserFactory(username="breakglass", is_staff=True, is_superuser=True)
    settings.BREAK_GLASS_USERS = ["breakglass"]
    page = client.get("/accounts/login/").content.decode()
    assert "Log in with single sign-on" in page
    response = client.post("/accounts/login/", {"username": "staff", "password": PASSWORD})
    assert response.status_code == 200 and "password login is kept for emergency accounts" in response.content.decode()
    assert AuditEvent.objects.filter(verb="auth.local_login_refused", actor=staff).exists()
    response = Client().post("/accounts/login/", {"username": admin.username, "password": PASSWORD})
    assert response.status_code == 302


def test_signing_under_sso_needs_a_fresh_login_at_the_provider(client, oidc_on, staff):
    _, _, browser = sso_login(client, "olivia")
    olivia = User.objects.get(username="olivia")
    AccountSecurity.objects.filter(user=olivia).update(declared_at="2026-01-01T00:00Z", declaration_text="x")
    record = make_record(staff, make_type("CAL"))
    page = client.get(record.get_absolute_url()).content.decode()
    assert "Confirm your identity at your identity provider" in page
    url = f"/records/{record.number}/verify/"
    refused = client.post(url, {"username": "olivia", **shown(record)}, follow=True)
    assert "confirm your identity at your identity provider" in refused.content.decode()
    assert not Signature.objects.exists()
    # Re-authentication: prompt=login and max_age=0 at the provider, auth_time checked on return.
    start = client.get(f"/accounts/oidc/reauth/?next={record.get_absolute_url()}")
    authorize_start = client.get(start["Location"])
    query = parse_qs(urlsplit(authorize_start["Location"]).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
    callback = through_provider(browser, authorize_start["Location"], "olivia")
    back = client.get(callback[len("http://testserver"):])
    assert back["Location"] == record.get_absolute_url()
    assert AuditEvent.objects.filter(verb="auth.oidc_reauth", actor=olivia).exists()
    client.post(url, {"username": "olivia", **shown(record)})
    assert Signature.objects.get().method == "oidc-reauth"
    # Used once: the next signature needs another.
    assert client.session.get("_qms_oidc_reauthed") is None


def test_a_reauthentication_older_than_the_request_does_not_count(client, oidc_on):
    _, _, browser = sso_login(client, "olivia")
    start = client.get("/accounts/oidc/reauth/?next=/")
    session = client.session
    session["_qms_oidc_reauth"]["asked"] += 3600  # as if the provider had not asked for the password again
    session.save()
    authorize_start = client.get(start["Location"])
    callback = through_provider(browser, authorize_start["Location"], "olivia")
    client.get(callback[len("http://testserver"):])
    assert AuditEvent.objects.filter(verb="auth.oidc_reauth_stale").exists()
    assert client.session.get("_qms_oidc_reauthed") is None


def test_sso_urls_are_404_when_not_configured(client, staff):
    client.force_login(staff)
    for url in ("/accounts/oidc/login/", "/accounts/oidc/callback/", "/accounts/oidc/reauth/"):
        assert client.get(url).status_code == 404


def test_a_state_older_than_the_limit_is_refused_as_expired(client, oidc_on):
    start = client.get("/accounts/oidc/login/")
    session = client.session
    for state in session["oidc_states"].values():
        state["added_on"] -= 3600  # the login page was left open for an hour
    session.save()
    callback = through_provider(requests.Session(), start["Location"], "olivia")
    response = client.get(callback[len("http://testserver"):], follow=True)
    assert "Single sign-on failed" in response.content.decode() and "expired" in response.content.decode()
    assert client.get("/").status_code == 302
    assert not User.objects.filter(username="olivia").exists()
    assert AuditEvent.objects.filter(verb="auth.oidc_refused").exists()
    assert client.session.get("oidc_states") == {}  # never usable again
