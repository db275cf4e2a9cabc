"""Browser: a person logs in through a real SAML identity provider (pysaml2,
tests/qms/saml_idp.py, served on loopback): the login page's SAML button, the
IdP's login form, back here with the roles of their groups (audited); signs a
record after a fresh login at the IdP (ForceAuthn, its AuthnInstant checked),
the signature recording the SAML method; logs out, here and at the IdP
(a signed LogoutRequest, the IdP's LogoutResponse checked) (issue 17)."""

import pytest
import requests
from django.contrib.auth import get_user_model

from qms.identity_models import AccountSecurity, UserSession
from qms.models import AuditEvent, Signature
from qms.permissions import roles
from tests.factories import ensure_reference_data
from tests.qms.saml_idp import PASSWORD as IDP_PASSWORD
from tests.qms.saml_idp import IdentityProvider, free_port, key_pair
from tests.records.factories import make_record, make_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def idp(live_server, settings):
    provider = IdentityProvider(f"http://127.0.0.1:{free_port()}/saml")
    settings.SITE_URL = live_server.url
    settings.SAML_IDP_METADATA = provider.metadata()
    settings.SAML_ROLE_MAP = "qms-quality|Quality Manager;qms-staff|Staff"
    settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE = key_pair(provider.dir, "sp")
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "qms.saml.SamlBackend"]
    provider.sp_entity = f"{live_server.url}/accounts/saml/metadata/"
    provider.sp_metadata = requests.get(provider.sp_entity, timeout=10).text
    provider.serve()
    ensure_reference_data()
    yield provider
    provider.stop()


def _log_in_at_the_idp(page, idp, username):
    page.wait_for_url(f"{idp.sso}?*")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Log in at the IdP").click()


def test_login_through_the_saml_idp_sign_after_a_fresh_login_then_log_out_there(page, idp, live_server, staff):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Log in with SAML single sign-on").click()
    _log_in_at_the_idp(page, idp, "olivia")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="My tasks").is_visible()
    olivia = get_user_model().objects.get(username="olivia")
    assert roles(olivia) == {"Quality Manager"} and idp.logins == [("olivia", None)]
    mapped = AuditEvent.objects.get(verb="sso.roles_mapped", object_id=str(olivia.pk))
    assert mapped.data == {"added": ["Quality Manager"], "removed": [], "source": "SAML"}
    assert UserSession.objects.get(user=olivia).method == "saml"

    AccountSecurity.objects.filter(user=olivia).update(declared_at="2026-01-01T00:00Z", declaration_text="x")
    record = make_record(staff, make_type("CAL"))
    page.goto(record.get_absolute_url())
    form = page.locator("form.signature-form")
    assert form.get_by_label("Password").count() == 0  # no password of ours to type
    form.get_by_role("button", name="Sign: Verified").click()  # logged in is not enough
    page.wait_for_selector("text=confirm your identity at your identity provider first")
    assert not Signature.objects.exists()

    page.get_by_role("link", name="Confirm your identity at your identity provider").click()
    _log_in_at_the_idp(page, idp, "olivia")  # ForceAuthn: the IdP asks again
    page.wait_for_url(f"{live_server.url}{record.get_absolute_url()}")
    assert idp.logins[-1] == ("olivia", "true")
    assert page.get_by_text("Identity confirmed at your identity provider").is_visible()
    assert AuditEvent.objects.filter(verb="auth.saml_reauth", actor=olivia).exists()
    page.locator("form.signature-form").get_by_role("button", name="Sign: Verified").click()
    page.wait_for_selector("text=verified and signed")
    signature = Signature.objects.get()
    assert signature.signer == olivia and signature.method == "saml-reauth"

    page.locator("#user-menu").click()
    page.get_by_role("button", name="Log out").click()  # on to the IdP's SLO endpoint and back
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.get_by_text("You are logged out, here and at your identity provider.").is_visible()
    assert AuditEvent.objects.filter(verb="auth.saml_logout_done").exists()
    assert not UserSession.objects.filter(user=olivia).exists()
