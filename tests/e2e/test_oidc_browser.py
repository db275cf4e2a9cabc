"""Browser: a person logs in through the real OpenID provider
(django-oidc-provider, tests/oidc_idp/) on loopback, gets the roles of their
groups there (audited), and signs a record after a fresh login at the
provider (prompt=login, max_age=0; the ID token's auth_time checked), the
signature recording how identity was proved (issue 17)."""

import pytest
from django.contrib.auth import get_user_model

from qms.identity_models import AccountSecurity
from qms.models import AuditEvent, Signature
from qms.permissions import roles
from tests.factories import ensure_reference_data
from tests.qms.oidc_server import PASSWORD as IDP_PASSWORD
from tests.qms.oidc_server import Provider
from tests.records.factories import make_record, make_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(live_server, settings):
    idp = Provider(f"{live_server.url}/accounts/oidc/callback/")
    for name, value in idp.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "qms.oidc.QmsOIDCBackend"]
    ensure_reference_data()
    yield idp
    idp.stop()


def _log_in_at_the_provider(page, username):
    page.wait_for_url("http://127.0.0.1:*/login/**")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Log in at the IdP").click()


def test_login_through_the_provider_then_sign_after_a_fresh_login_there(page, provider, live_server, staff):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Log in with single sign-on").click()
    _log_in_at_the_provider(page, "olivia")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="My tasks").is_visible()
    olivia = get_user_model().objects.get(username="olivia")
    assert roles(olivia) == {"Quality Manager"}
    mapped = AuditEvent.objects.get(verb="sso.roles_mapped", object_id=str(olivia.pk))
    assert mapped.data == {"added": ["Quality Manager"], "removed": [], "source": "OpenID Connect"}

    AccountSecurity.objects.filter(user=olivia).update(declared_at="2026-01-01T00:00Z", declaration_text="x")
    record = make_record(staff, make_type("CAL"))
    page.goto(record.get_absolute_url())
    form = page.locator("form.signature-form")
    assert form.get_by_label("Password").count() == 0  # no password of ours to type
    form.get_by_role("button", name="Sign: Verified").click()  # logged in is not enough
    page.wait_for_selector("text=confirm your identity at your identity provider first")
    assert not Signature.objects.exists()

    page.get_by_role("link", name="Confirm your identity at your identity provider").click()
    _log_in_at_the_provider(page, "olivia")  # prompt=login: the provider asks again
    page.wait_for_url(f"{live_server.url}{record.get_absolute_url()}")
    assert page.get_by_text("Identity confirmed at your identity provider").is_visible()
    assert AuditEvent.objects.filter(verb="auth.oidc_reauth", actor=olivia).exists()
    page.locator("form.signature-form").get_by_role("button", name="Sign: Verified").click()
    page.wait_for_selector("text=verified and signed")
    signature = Signature.objects.get()
    assert signature.signer == olivia and signature.method == "oidc-reauth"
