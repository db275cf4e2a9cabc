"""SAML 2.0 login (qms/saml.py) against a real identity provider in-process
(pysaml2's Server, tests/qms/saml_idp.py, a key the test makes): our
AuthnRequest read by the IdP, its signed response posted to our ACS; user
made and matched, roles from the groups attribute (the code OIDC uses);
ForceAuthn for a signature's re-authentication; a forged, unsigned,
replayed or mis-addressed response refused with a message and an audit
event, never a 500. Single logout both ways (ours signed, the IdP's checked),
an unsigned or forged logout message refused with a 400 and an event."""

import html

import pytest
from django.contrib.auth import get_user_model

from qms.identity_models import AccountSecurity, UserSession
from qms.models import AuditEvent, Signature
from qms.permissions import roles
from tests.factories import UserFactory, ensure_reference_data
from tests.qms.saml_idp import IdentityProvider, key_pair
from tests.records.factories import make_record, make_type
from tests.signing import shown

User = get_user_model()
SP_ENTITY = "http://testserver/accounts/saml/metadata/"


@pytest.fixture(scope="module")
def idp():
    provider = IdentityProvider()
    yield provider
    provider.stop()


@pytest.fixture
def saml_on(idp, settings, db, client):
    settings.SAML_IDP_METADATA = idp.metadata()
    settings.SAML_ROLE_MAP = "qms-quality|Quality Manager;qms-staff|Staff"
    settings.SITE_URL = "http://testserver"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "qms.saml.SamlBackend"]
    idp.sp_entity = SP_ENTITY
    idp.sp_metadata = client.get("/accounts/saml/metadata/").content.decode()
    ensure_reference_data()
    return idp


def start(client, url="/accounts/saml/login/"):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("https://idp.test/saml/sso?")
    return response["Location"]


def post_answer(client, saml_response, follow=True):
    return client.post("/accounts/saml/acs/", {"SAMLResponse": saml_response}, follow=follow)


def refused(response, text):
    page = response.content.decode()
    assert response.status_code == 200 and "Single sign-on failed" in page, page[:500]
    assert text in page, page[:3000]


def test_metadata_names_our_acs(client, saml_on):
    metadata = client.get("/accounts/saml/metadata/").content.decode()
    assert SP_ENTITY in metadata and "http://testserver/accounts/saml/acs/" in metadata


def test_login_through_the_idp_creates_the_user_and_maps_roles(client, saml_on):
    saml_response, request = saml_on.answer(start(client), "olivia")
    assert request.force_authn in (None, "false", False)
    answered = post_answer(client, saml_response, follow=False)
    assert answered.status_code == 303 and answered["Location"].startswith("/accounts/saml/done/?k=")
    done = client.get(answered["Location"])
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.get("/").status_code == 200
    olivia = User.objects.get(username="olivia")
    assert olivia.full_name == "Olivia Owens" and olivia.email == "olivia@idp.example"
    assert not olivia.has_usable_password() and roles(olivia) == {"Quality Manager"}
    assert AccountSecurity.objects.get(user=olivia).source == "saml"
    assert AuditEvent.objects.filter(verb="sso.user_created", object_id=str(olivia.pk)).exists()
    assert AuditEvent.objects.get(verb="sso.roles_mapped", object_id=str(olivia.pk)).data["added"] == [
        "Quality Manager"]
    assert client.session["_qms_auth_method"] == "saml"


def test_an_existing_account_is_matched_and_its_roles_follow_the_groups(client, saml_on):
    sven = UserFactory(username="sven", roles=["Staff", "Quality Manager"])
    saml_response, _ = saml_on.answer(start(client), "sven")
    post_answer(client, saml_response)
    assert User.objects.filter(username="sven").count() == 1
    assert roles(User.objects.get(pk=sven.pk)) == {"Staff"}
    assert AuditEvent.objects.get(verb="sso.roles_mapped", object_id=str(sven.pk)).data["removed"] == [
        "Quality Manager"]


def test_a_forged_response_is_refused(client, saml_on):
    saml_response, _ = saml_on.answer(start(client), "sven", tamper=lambda xml: xml.replace(">sven<", ">olivia<"))
    refused(post_answer(client, saml_response), "signature does not match")
    assert not User.objects.filter(username="olivia").exists()
    assert AuditEvent.objects.filter(verb="auth.saml_refused").exists()
    assert client.get("/").status_code == 302


def test_an_unsigned_response_is_refused(client, saml_on):
    saml_response, _ = saml_on.answer(start(client), "olivia", sign=False)
    refused(post_answer(client, saml_response), "not signed")
    assert not User.objects.filter(username="olivia").exists()


def test_a_replayed_response_is_refused(client, saml_on):
    saml_response, _ = saml_on.answer(start(client), "olivia")
    post_answer(client, saml_response)
    assert client.get("/").status_code == 200
    other = client.__class__()
    refused(post_answer(other, saml_response), "already used (a replayed response)")
    assert other.get("/").status_code == 302
    assert AuditEvent.objects.filter(verb="auth.saml_refused").count() == 1


def test_a_response_for_another_audience_is_refused(client, saml_on):
    saml_response, _ = saml_on.answer(start(client), "olivia", audience="https://other.example/sp")
    refused(post_answer(client, saml_response), "wrong audience")
    assert not User.objects.filter(username="olivia").exists()


@pytest.mark.parametrize("garbage", ["", "not base64 at all!", "PGZvbz48L2Zvbz4=",  # <foo></foo>
                                     "PCFET0NUWVBFIHggWzwhRU5USVRZIGUgImEiPl0+PHg+JmU7PC94Pg=="])  # an entity
def test_garbage_is_refused_with_a_message(client, saml_on, garbage):
    refused(post_answer(client, garbage), "Single sign-on failed")
    assert AuditEvent.objects.filter(verb="auth.saml_refused").exists()


def test_the_outcome_key_is_bound_to_the_browser_that_started(client, saml_on):
    saml_response, _ = saml_on.answer(start(client), "olivia")
    answered = post_answer(client.__class__(), saml_response, follow=False)  # the IdP posted (no cookie)
    thief = client.__class__()
    refused(thief.get(answered["Location"], follow=True), "another browser")
    assert thief.get("/").status_code == 302


def test_signing_needs_a_fresh_login_at_the_idp_with_force_authn(client, saml_on, staff):
    saml_response, _ = saml_on.answer(start(client), "olivia")
    post_answer(client, saml_response)
    olivia = User.objects.get(username="olivia")
    AccountSecurity.objects.filter(user=olivia).update(declared_at="2026-01-01T00:00Z", declaration_text="x")
    record = make_record(staff, make_type("CAL"))
    page = client.get(record.get_absolute_url()).content.decode()
    assert "Confirm your identity at your identity provider" in page and "/accounts/saml/reauth/" in page
    url = f"/records/{record.number}/verify/"
    client.post(url, {"username": "olivia", **shown(record)})
    assert not Signature.objects.exists()
    redirect_url = start(client, f"/accounts/saml/reauth/?next={record.get_absolute_url()}")
    saml_response, request = saml_on.answer(redirect_url, "olivia")
    assert request.force_authn in ("true", True)
    back = post_answer(client, saml_response)
    assert back.redirect_chain[-1][0] == record.get_absolute_url()
    assert AuditEvent.objects.filter(verb="auth.saml_reauth", actor=olivia).exists()
    client.post(url, {"username": "olivia", **shown(record)})
    assert Signature.objects.get().method == "saml-reauth"


def test_a_reauthentication_without_a_fresh_login_does_not_count(client, saml_on):
    saml_response, _ = saml_on.answer(start(client), "olivia")
    post_answer(client, saml_response)
    redirect_url = start(client, "/accounts/saml/reauth/?next=/")
    saml_response, _ = saml_on.answer(redirect_url, "olivia", authn_instant=1_700_000_000)  # an old login
    post_answer(client, saml_response)
    assert AuditEvent.objects.filter(verb="auth.saml_reauth_stale").exists()
    assert client.session.get("_qms_oidc_reauthed") is None


def test_a_reauthentication_as_someone_else_is_refused(client, saml_on):
    saml_response, _ = saml_on.answer(start(client), "olivia")
    post_answer(client, saml_response)
    saml_response, _ = saml_on.answer(start(client, "/accounts/saml/reauth/?next=/"), "sven")
    refused(post_answer(client, saml_response), "for another account")
    assert client.session.get("_qms_oidc_reauthed") is None


def test_saml_urls_are_404_when_not_configured(client, staff):
    client.force_login(staff)
    for url in ("/accounts/saml/login/", "/accounts/saml/done/", "/accounts/saml/reauth/",
                "/accounts/saml/metadata/"):
        assert client.get(url).status_code == 404
    assert client.post("/accounts/saml/acs/", {"SAMLResponse": "x"}).status_code == 404


# ------------------------------------------------------------------ single logout
@pytest.fixture
def slo_on(saml_on, settings, client):
    """SAML with our own signing key (SAML_SP_KEY_FILE): logout requests are signed."""
    settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE = key_pair(saml_on.dir, "sp")
    saml_on.sp_metadata = client.get("/accounts/saml/metadata/").content.decode()
    return saml_on


def log_out(client) -> str:
    """Log out here: the page that sends the browser on to the IdP; returns where."""
    response = client.post("/accounts/logout/")
    assert response.status_code == 200 and "Continue to your identity provider" in response.content.decode()
    url = response["Refresh"].removeprefix("0;url=")
    assert html.escape(url) in response.content.decode()
    return url


def saml_login(client, idp, username="olivia"):
    saml_response, _ = idp.answer(start(client), username)
    post_answer(client, saml_response)
    assert client.get("/").status_code == 200
    return UserSession.objects.get(session_key=client.session.session_key)


def test_metadata_advertises_the_single_logout_endpoint(client, slo_on):
    metadata = client.get("/accounts/saml/metadata/").content.decode()
    assert "SingleLogoutService" in metadata and 'Location="http://testserver/accounts/saml/slo/"' in metadata
    assert "HTTP-Redirect" in metadata.split("SingleLogoutService")[1]


def test_logging_out_sends_a_signed_logout_request_and_checks_the_answer(client, slo_on):
    row = saml_login(client, slo_on)
    assert row.saml_name_id == "olivia" and row.saml_session_index
    url = log_out(client)
    assert url.startswith("https://idp.test/saml/slo?SAMLRequest=") and "Signature=" in url and "SigAlg=" in url
    assert client.get("/").status_code == 302 and not UserSession.objects.exists()  # logged out here at once
    back, asked = slo_on.answer_logout(url)  # the IdP checked our signature
    assert asked.name_id.text == "olivia" and [i.text for i in asked.session_index] == [row.saml_session_index]
    done = client.get(back, follow=True)
    assert done.redirect_chain[-1][0] == "/accounts/login/"
    assert "You are logged out, here and at your identity provider." in done.content.decode()
    assert AuditEvent.objects.filter(verb="auth.saml_logout_sent").exists()
    assert AuditEvent.objects.filter(verb="auth.saml_logout_done").exists()
    replay = client.get(back)
    assert replay.status_code == 400 and "already used" in replay.content.decode()


def test_a_logout_response_unsigned_or_for_no_request_of_ours_is_refused(client, slo_on):
    saml_login(client, slo_on)
    back, _ = slo_on.answer_logout(log_out(client))
    unsigned = back.split("&SigAlg=")[0]
    refused = client.get(unsigned)
    assert refused.status_code == 400 and "not signed" in refused.content.decode()
    other_idp = IdentityProvider()  # the same entity, another key: a forger's
    other_idp.sp_entity, other_idp.sp_metadata = slo_on.sp_entity, slo_on.sp_metadata
    saml_login(client, slo_on)
    forged, _ = other_idp.answer_logout(log_out(client))
    refused = client.get(forged)
    assert refused.status_code == 400 and "does not match" in refused.content.decode()
    other_idp.stop()
    assert AuditEvent.objects.filter(verb="auth.saml_logout_refused").count() == 2


def test_the_idp_ends_all_sessions_of_the_name_id_and_gets_a_logout_response(client, slo_on, staff, password):
    saml_login(client, slo_on)
    laptop = client.__class__()
    saml_login(laptop, slo_on)
    sven = client.__class__()
    saml_login(sven, slo_on, "sven")
    bystander = client.__class__()
    bystander.force_login(staff)
    url, request_id = slo_on.logout_request("olivia")
    assert url.startswith("http://testserver/accounts/saml/slo/?SAMLRequest=")
    answer = client.get(url)  # the IdP sends the browser of one of olivia's sessions
    assert answer.status_code == 302
    response, query = slo_on.read_logout_response(answer["Location"])  # signed by us
    assert response.response.in_response_to == request_id and query["RelayState"] == "back-to-idp"
    assert response.response.status.status_code.value == "urn:oasis:names:tc:SAML:2.0:status:Success"
    assert client.get("/").status_code == 302 and laptop.get("/").status_code == 302
    assert sven.get("/").status_code == 200 and bystander.get("/").status_code == 200
    olivia = User.objects.get(username="olivia")
    assert not UserSession.objects.filter(user=olivia).exists()
    event = AuditEvent.objects.get(verb="auth.saml_logout", object_id=str(olivia.pk))
    assert "2 session(s) ended" in event.comment and event.data["name_id"] == "olivia"


def test_the_idp_ends_only_the_session_of_its_session_index(client, slo_on):
    saml_login(client, slo_on)
    laptop = client.__class__()
    row = saml_login(laptop, slo_on)
    url, _ = slo_on.logout_request("olivia", session_index=row.saml_session_index)
    assert client.__class__().get(url).status_code == 302  # a browser with neither session (front channel)
    assert laptop.get("/").status_code == 302 and client.get("/").status_code == 200


def test_an_unsigned_or_forged_logout_request_is_refused_and_ends_nothing(client, slo_on):
    saml_login(client, slo_on)
    url, _ = slo_on.logout_request("olivia", sign=False)
    refused = client.get(url)
    assert refused.status_code == 400 and "not signed" in refused.content.decode()
    forger = IdentityProvider()
    forger.sp_entity, forger.sp_metadata = slo_on.sp_entity, slo_on.sp_metadata
    url, _ = forger.logout_request("olivia")
    forger.stop()
    refused = client.get(url)
    assert refused.status_code == 400 and "does not match" in refused.content.decode()
    tampered = url.replace("SigAlg=", "RelayState=elsewhere&SigAlg=")
    assert client.get(tampered).status_code == 400
    assert client.get("/").status_code == 200 and UserSession.objects.filter(saml_name_id="olivia").exists()
    assert AuditEvent.objects.filter(verb="auth.saml_logout_refused").count() == 3
    assert not AuditEvent.objects.filter(verb="auth.saml_logout").exists()


@pytest.mark.parametrize("query", ["", "?SAMLRequest=", "?SAMLRequest=not-base64!", "?SAMLResponse=PGZvbz48L2Zvbz4%3D",
                                   "?SAMLRequest=x&SigAlg=nope&Signature=x", "?SAMLResponse=%%%"])
def test_garbage_at_the_logout_endpoint_is_a_400_with_a_reason(client, slo_on, query):
    response = client.get(f"/accounts/saml/slo/{query}")
    assert response.status_code == 400 and "Single logout refused" in response.content.decode()
    assert AuditEvent.objects.filter(verb="auth.saml_logout_refused").exists()


def test_without_our_own_key_logging_out_stays_local(client, saml_on):
    saml_login(client, saml_on)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_a_password_login_logs_out_locally(client, slo_on, staff):
    client.force_login(staff)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_a_refusal_is_shown_in_the_browsers_language_and_recorded_in_english(client, saml_on):
    saml_response, _ = saml_on.answer(start(client), "olivia", audience="https://other.example/sp")
    page = client.post("/accounts/saml/acs/", {"SAMLResponse": saml_response}, follow=True,
                       HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert ("Single Sign-on fehlgeschlagen: Die Antwort ist für einen anderen Dienst bestimmt (falsche Audience)."
            in html.unescape(page)), page[:3000]
    event = AuditEvent.objects.get(verb="auth.saml_refused")
    assert event.comment == "the response is meant for another service (wrong audience)."
